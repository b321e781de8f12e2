// Command export measures the cohort export as a user runs it — the whole `feidi export`
// process — against a bare excelize StreamWriter program (bench/export/bare) writing the same
// number of rows of the same 15 columns, both in the same run, each under /usr/bin/time -v:
// wall-clock time, CPU time (user + system) and peak RSS of the whole process. It prints the
// medians of the runs and their ratio, then the median of the ratios of each export run to the
// bare run right after it ("pairs", steadier when the machine's load drifts) with the load
// average at the end. See BENCHMARKS.md.
//
//	go run ./bench/export [-logs 10000,100000,300000] [-runs 3]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	_ "feidi/migrations"
)

const engineers = 200

// The period exported: 24 months, the longest an export may cover; every seeded trip is in it.
const from, to = "2025-01", "2026-12"

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// tripAt is the i-th trip of engineer e: every 6 hours, 75 minutes long.
func tripAt(e, i int) (time.Time, time.Time) {
	depart := start.Add(time.Duration(i)*6*time.Hour + time.Duration(e)*time.Minute)
	return depart, depart.Add(75 * time.Minute)
}

func main() {
	sizes := flag.String("logs", "10000,100000,300000", "numbers of commute logs to measure, comma-separated")
	runs := flag.Int("runs", 3, "runs of each program per size; the medians are reported")
	keep := flag.String("dir", "", "directory to keep the binaries, data dirs and files in (default: a temporary one)")
	flag.Parse()
	dir := *keep
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "feidi-bench-*"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	feidi, bare := filepath.Join(dir, "feidi"), filepath.Join(dir, "bare")
	for _, b := range [][]string{{feidi, "."}, {bare, "./bench/export/bare"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			log.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	fmt.Printf("%-8s %-8s %10s %12s %14s\n", "logs", "program", "seconds", "CPU seconds", "peak RSS MiB")
	for _, size := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(size)
		if err != nil {
			log.Fatalf("-logs: %v", err)
		}
		data := filepath.Join(dir, "pb_data_"+size)
		os.RemoveAll(data)
		cohort, err := seed(data, n)
		if err != nil {
			log.Fatal(err)
		}
		var ours, base []figures
		for range *runs { // alternated, so that a busy moment of the machine falls on both
			o, err := measure(feidi, "export", "--dir", data, "--cohort", cohort, "--from", from, "--to", to,
				"--out", filepath.Join(dir, "cohort.xlsx"))
			if err != nil {
				log.Fatal(err)
			}
			b, err := measure(bare, "-rows", size, "-out", filepath.Join(dir, "bare.xlsx"))
			if err != nil {
				log.Fatal(err)
			}
			ours, base = append(ours, o), append(base, b)
		}
		o, b := median(ours), median(base)
		fmt.Printf("%-8d %-8s %10.2f %12.2f %14.1f\n", n, "export", o.seconds, o.cpu, o.rss)
		fmt.Printf("%-8d %-8s %10.2f %12.2f %14.1f\n", n, "bare", b.seconds, b.cpu, b.rss)
		fmt.Printf("%-8d %-8s %9.2fx %11.2fx %13.2fx\n", n, "ratio", o.seconds/b.seconds, o.cpu/b.cpu, o.rss/b.rss)
		// Each export run beside the bare run right after it, which met much the same load.
		pairs := make([]figures, len(ours))
		for i := range ours {
			pairs[i] = figures{ours[i].seconds / base[i].seconds, ours[i].cpu / base[i].cpu, ours[i].rss / base[i].rss}
		}
		p := median(pairs)
		fmt.Printf("%-8d %-8s %9.2fx %11.2fx %13.2fx   (load average %s)\n", n, "pairs", p.seconds, p.cpu, p.rss, loadAverage())
	}
}

// seed makes a Feidi data dir with every migration, a cohort of engineers and n commute logs.
// The logs are inserted with plain SQL in one transaction, skipping the record validation: it
// would only check the overlap rules the generator already keeps, a hundred thousand times.
func seed(dir string, n int) (string, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return "", err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return "", err
	}
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

type figures struct{ seconds, cpu, rss float64 }

// loadAverage is the machine's 1-, 5- and 15-minute load averages (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

var (
	elapsedLine = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)`)
	rssLine     = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	userLine    = regexp.MustCompile(`User time \(seconds\): ([\d.]+)`)
	systemLine  = regexp.MustCompile(`System time \(seconds\): ([\d.]+)`)
)

// measure runs the program under /usr/bin/time -v and reads its wall-clock time and peak RSS.
func measure(program string, args ...string) (figures, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", program}, args...)...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return figures{}, fmt.Errorf("%s: %v\n%s", program, err, stderr.Bytes())
	}
	e, r := elapsedLine.FindSubmatch(stderr.Bytes()), rssLine.FindSubmatch(stderr.Bytes())
	u, y := userLine.FindSubmatch(stderr.Bytes()), systemLine.FindSubmatch(stderr.Bytes())
	if e == nil || r == nil || u == nil || y == nil {
		return figures{}, fmt.Errorf("%s: no figures in\n%s", program, stderr.Bytes())
	}
	h, _ := strconv.ParseFloat(string(e[1]), 64)
	m, _ := strconv.ParseFloat(string(e[2]), 64)
	s, _ := strconv.ParseFloat(string(e[3]), 64)
	kb, _ := strconv.ParseFloat(string(r[1]), 64)
	user, _ := strconv.ParseFloat(string(u[1]), 64)
	system, _ := strconv.ParseFloat(string(y[1]), 64)
	return figures{seconds: h*3600 + m*60 + s, cpu: user + system, rss: kb / 1024}, nil
}

func median(fs []figures) figures {
	secs, cpu, rss := make([]float64, len(fs)), make([]float64, len(fs)), make([]float64, len(fs))
	for i, f := range fs {
		secs[i], cpu[i], rss[i] = f.seconds, f.cpu, f.rss
	}
	for _, v := range [][]float64{secs, cpu, rss} {
		slices.Sort(v)
	}
	return figures{secs[len(fs)/2], cpu[len(fs)/2], rss[len(fs)/2]}
}
