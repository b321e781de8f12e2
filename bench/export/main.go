// Command export measures the cohort export at 10,000 and 100,000 commute logs against a bare
// excelize StreamWriter writing the same rows in the same run: time, peak heap in use above the
// baseline, and bytes allocated. See BENCHMARKS.md.
//
//	go run ./bench/export [-logs 10000,100000]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/xuri/excelize/v2"

	"feidi/hooks/export"
	_ "feidi/migrations"
)

const engineers = 200

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// tripAt is the i-th trip of engineer e: every 12 hours, 75 minutes long.
func tripAt(e, i int) (time.Time, time.Time) {
	depart := start.Add(time.Duration(i)*12*time.Hour + time.Duration(e)*time.Minute)
	return depart, depart.Add(75 * time.Minute)
}

func main() {
	sizes := flag.String("logs", "10000,100000", "numbers of commute logs to measure, comma-separated")
	flag.Parse()
	fmt.Printf("%-8s %-10s %10s %14s %14s\n", "logs", "writer", "seconds", "peak heap MiB", "alloc MiB")
	for _, size := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(size)
		if err != nil {
			log.Fatalf("-logs: %v", err)
		}
		if err := run(n); err != nil {
			log.Fatal(err)
		}
	}
}

func run(n int) error {
	dir, err := os.MkdirTemp("", "feidi-bench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	app, err := tests.NewTestApp(dir)
	if err != nil {
		return err
	}
	defer app.Cleanup()
	cohort, err := seed(app, n)
	if err != nil {
		return err
	}
	p, err := export.ParsePeriod("2025-01", "2025-12")
	if err != nil {
		return err
	}
	ours, err := measure(func() error {
		f, err := os.Create(filepath.Join(dir, "cohort.xlsx"))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = export.Cohort(context.Background(), app.DB(), cohort, p, f, export.Options{Format: export.XLSX})
		return err
	})
	if err != nil {
		return err
	}
	bare, err := measure(func() error { return bareStream(filepath.Join(dir, "bare.xlsx"), n) })
	if err != nil {
		return err
	}
	ours.print(n, "export")
	bare.print(n, "bare")
	fmt.Printf("%-8d %-10s %10.2fx %13.2fx %13.2fx\n", n, "ratio", ours.seconds/bare.seconds,
		ours.peak/bare.peak, ours.alloc/bare.alloc)
	return nil
}

// seed makes a cohort of engineers and n commute logs. The logs are inserted with plain SQL in
// one transaction, skipping the record validation: it would only check the overlap rules the
// generator already keeps, a hundred thousand times.
func seed(app core.App, n int) (string, error) {
	var cohortID string
	err := app.RunInTransaction(func(tx core.App) error {
		users, err := tx.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		coord := core.NewRecord(users)
		coord.SetEmail("coord@example.com")
		coord.SetPassword("1234567890")
		coord.Set("role", "coordinator")
		if err := tx.Save(coord); err != nil {
			return err
		}
		cohorts, _ := tx.FindCollectionByNameOrId("cohorts")
		cohort := core.NewRecord(cohorts)
		cohort.Set("name", "bench")
		cohort.Set("coordinator", coord.Id)
		if err := tx.Save(cohort); err != nil {
			return err
		}
		cohortID = cohort.Id
		engs, _ := tx.FindCollectionByNameOrId("engineers")
		members, _ := tx.FindCollectionByNameOrId("cohort_members")
		ids := make([]string, engineers)
		for e := range ids {
			r := core.NewRecord(engs)
			r.Set("name", fmt.Sprintf("工程师%03d", e))
			if err := tx.Save(r); err != nil {
				return err
			}
			ids[e] = r.Id
			m := core.NewRecord(members)
			m.Set("cohort", cohort.Id)
			m.Set("engineer", r.Id)
			if err := tx.Save(m); err != nil {
				return err
			}
		}
		cities := [2]string{"chengdu", "dazu"}
		for k := 0; k < n; k++ {
			e, i := k%engineers, k/engineers
			depart, arrive := tripAt(e, i)
			_, err := tx.DB().Insert("commute_logs", dbx.Params{
				"id": fmt.Sprintf("t%015d", k), "engineer": ids[e],
				"from_city": cities[i%2], "to_city": cities[(i+1)%2],
				"depart_at": depart.Format(types.DefaultDateLayout),
				"arrive_at": arrive.Format(types.DefaultDateLayout),
				"mode":      "hsr", "distance_km": 240.0, "cost_yuan": 96.5, "note": "成都东—大足南",
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	return cohortID, err
}

// bareStream writes n rows of the commute sheet's shape with nothing but a StreamWriter.
func bareStream(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := make([]any, 15)
	for k := 0; k < n; k++ {
		e, i := k%engineers, k/engineers
		depart, arrive := tripAt(e, i)
		row = append(row[:0], fmt.Sprintf("t%015d", k), "engineer", "工程师", "成都", "大足", depart, arrive,
			depart, arrive, depart, "高铁", 240.0, 1.25, 96.5, "成都东—大足南")
		cell, _ := excelize.CoordinatesToCellName(1, k+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

type figures struct{ seconds, peak, alloc float64 }

func (f figures) print(n int, name string) {
	fmt.Printf("%-8d %-10s %10.2f %14.1f %14.1f\n", n, name, f.seconds, f.peak, f.alloc)
}

// measure runs fn and samples the heap in use every millisecond: the peak above what was in use
// before, and the bytes allocated in all.
func measure(fn func() error) (figures, error) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	t0 := time.Now()
	err := fn()
	elapsed := time.Since(t0)
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	const mib = 1 << 20
	return figures{
		seconds: elapsed.Seconds(),
		peak:    float64(peak.Load()-min(peak.Load(), before.HeapInuse)) / mib,
		alloc:   float64(after.TotalAlloc-before.TotalAlloc) / mib,
	}, err
}
