package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"feidi/integrations/delivery"
	"feidi/integrations/delivery/deliverytest"
)

func post(c *delivery.Client, key string) (*delivery.Response, error) {
	return c.Post(context.Background(), delivery.Request{Path: "/events", ContentType: "application/json",
		Body: []byte(`{"n":1}`), IdempotencyKey: key})
}

func TestPostClassifiesAnswers(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "receiver-secret-0001")
	c := delivery.New(rcv.Target(time.Second))

	for _, tc := range []struct {
		status    int
		permanent bool
	}{{503, false}, {500, false}, {408, false}, {429, false}, {400, true}, {401, true}, {404, true}, {422, true}, {301, true}} {
		rcv.FailNext(tc.status)
		_, err := post(c, "k-fail")
		var de *delivery.Error
		if !errors.As(err, &de) || de.Status != tc.status || de.Permanent != tc.permanent {
			t.Errorf("HTTP %d: got %#v, want status %d permanent %v", tc.status, err, tc.status, tc.permanent)
		}
	}

	resp, err := post(c, "k-ok")
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("200: %v %v", resp, err)
	}
	if got := rcv.Applied(); len(got) != 1 || got[0].Key != "k-ok" || got[0].Path != "/events" {
		t.Fatalf("applied %+v", got)
	}
	if rcv.BadSignatures() != 0 {
		t.Fatal("the receiver refused a signature")
	}
}

func TestPostNoAnswerIsRetryable(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "receiver-secret-0001")
	c := delivery.New(rcv.Target(100 * time.Millisecond))

	rcv.SetMode(deliverytest.Down)
	_, err := post(c, "k-down")
	var de *delivery.Error
	if !errors.As(err, &de) || de.Permanent || de.Status != 0 {
		t.Fatalf("dropped connection: %#v", err)
	}

	rcv.SetMode(deliverytest.Hang)
	_, err = post(c, "k-slow")
	if !errors.As(err, &de) || de.Permanent || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %#v", err)
	}
}

func TestPostWrongSecretIsPermanent(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "receiver-secret-0001")
	target := rcv.Target(time.Second)
	target.Secret = "not-the-receivers-secret"
	_, err := post(delivery.New(target), "k")
	var de *delivery.Error
	if !errors.As(err, &de) || !de.Permanent || de.Status != http.StatusUnauthorized || rcv.BadSignatures() != 1 {
		t.Fatalf("got %#v", err)
	}
}

func TestPostShutdownIsNotAFailure(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "receiver-secret-0001")
	rcv.SetMode(deliverytest.Hang)
	c := delivery.New(rcv.Target(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-rcv.Hung(); cancel() }()
	_, err := c.Post(ctx, delivery.Request{Path: "/events", Body: []byte(`{}`), IdempotencyKey: "k"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %#v, want context.Canceled", err)
	}
	var de *delivery.Error
	if errors.As(err, &de) {
		t.Fatal("an abandoned attempt was reported as a delivery failure")
	}
}
