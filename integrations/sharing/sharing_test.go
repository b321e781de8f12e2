package sharing_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"feidi/integrations/delivery/deliverytest"
	"feidi/integrations/sharing"
)

func TestPublishSendsVersionedEnvelope(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "sharing-secret-0001")
	c := sharing.New(rcv.Target(time.Second))
	at := time.Date(2025, 11, 25, 1, 30, 0, 0, time.FixedZone("CST", 8*3600))
	data, _ := json.Marshal(sharing.Need{ID: "n1", Enterprise: sharing.Enterprise{ID: "e1", USCC: "91500111MA5U000000", Name: "大足五金"},
		Category: "technology", Title: "热处理工艺优化", BudgetWan: 50, Status: "published"})

	if _, err := c.Publish(context.Background(), "sharing-abc", sharing.NeedPublished, at, data); err != nil {
		t.Fatal(err)
	}
	got := rcv.Applied()
	if len(got) != 1 || got[0].Path != "/events" || got[0].ContentType != "application/json" {
		t.Fatalf("applied %+v", got)
	}
	var env sharing.Envelope
	if err := json.Unmarshal(got[0].Body, &env); err != nil {
		t.Fatal(err)
	}
	if env.SpecVersion != "1" || env.ID != "sharing-abc" || env.Type != "need.published" ||
		!env.OccurredAt.Equal(at) || env.OccurredAt.Location() != time.UTC {
		t.Fatalf("envelope %+v", env)
	}
	var need sharing.Need
	if err := json.Unmarshal(env.Data, &need); err != nil || need.Title != "热处理工艺优化" || need.BudgetWan != 50 {
		t.Fatalf("data %s: %v", env.Data, err)
	}
}
