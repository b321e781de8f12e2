package historybench

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/history"
	"feidi/hooks/lib/apptest"
)

// BenchmarkWrite times what history adds to one write, by itself (a push's own time is too
// noisy on a shared machine to show it as a difference): "create" is Write of a new commute
// log's whole record; "update" reads the stored record, as the update hook does, and Write of
// one changed field. Each op runs in a transaction of 100, as a push's records share one.
func BenchmarkWrite(b *testing.B) {
	app := apptest.Enclave.App(b)
	trip, err := app.FindRecordById("commute_logs", apptest.CommuteA)
	if err != nil {
		b.Fatal(err)
	}
	for _, op := range []string{"create", "update"} {
		b.Run(op, func(b *testing.B) {
			n := 0
			for b.Loop() {
				err := app.RunInTransaction(func(tx core.App) error {
					for range 100 {
						n++
						r := trip.Fresh()
						r.Id = fmt.Sprintf("BenchTrip%07d", n)
						if op == "create" {
							if err := history.Write(tx, nil, r); err != nil {
								return err
							}
							continue
						}
						before, err := tx.FindRecordById("commute_logs", apptest.CommuteA)
						if err != nil {
							return err
						}
						r.Id = before.Id
						r.Set("note", fmt.Sprintf("改签 %d", n))
						if err := history.Write(tx, before, r); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/write")
		})
	}
}
