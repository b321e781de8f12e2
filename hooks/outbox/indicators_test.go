package outbox_test

import (
	"testing"
	"time"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
	"feidi/integrations/sharing"
)

// TestMonthlyIndicatorsAreSentOnce: a month's figures are one event, whatever day of the next
// month it is asked for, delivered signed; they are the month's figures, naming challenges and
// enterprises, not people.
func TestMonthlyIndicatorsAreSentOnce(t *testing.T) {
	app := apptest.Indicators.App(t)
	for _, day := range []string{"2026-03-01", "2026-03-31"} {
		d, _ := time.Parse(time.DateOnly, day)
		if err := outbox.EnqueueMonthlyIndicators(app, d); err != nil {
			t.Fatal(err)
		}
	}
	row := onlyRow(t, app)
	if row.GetString("event") != sharing.Monthly || row.GetString("idempotency_key") != "sharing-indicators-monthly-2026-03" {
		t.Fatalf("row %v", row.FieldsData())
	}
	data := payload[sharing.Indicators](t, row)
	if data.Month != "2026-03" || len(data.Groups) != 2 {
		t.Fatalf("payload %+v", data)
	}
	g := data.Groups[1] // after the Dazu Hi-tech Zone
	if g.Park != "shuangqiao_edz" || g.TransactionValueWan != apptest.ContractValueWan || g.Awarded != 1 ||
		len(g.AwardedChallenges) != 1 || g.AwardedChallenges[0] != apptest.ChallengeWorked || g.DazuDays != 2 ||
		g.ChainMultiplier == nil || *g.ChainMultiplier != 2 || *g.RDIntensityPct != 3 {
		t.Errorf("March, 双桥经开区 五金: %+v", g)
	}

	rcv := newReceivers(t)
	w, _ := newWorker(t, app, rcv)
	if n := tick(t, w, outbox.TargetSharing); n != 1 {
		t.Fatalf("%d attempts", n)
	}
	assertDeliveredOnce(t, rcv.sharing, row.GetString("idempotency_key"))
}
