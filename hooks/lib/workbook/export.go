// Package export writes the enclave's exports: the cohort workbook of the Engineer College and
// the needs summary of the enclave committee, as an xlsx workbook or a zip of CSV files. It reads
// the database in pages and streams rows, so memory does not grow with the size of an export. It
// knows nothing of HTTP or of jobs: the exports worker and the `export` command both call it.
//
// README.md beside this file documents the sheets, their columns and the day rule.
package workbook

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pocketbase/dbx"
)

// Format is the kind of file an export is written as.
type Format string

// The formats of an export.
const (
	XLSX Format = "xlsx" // one workbook
	CSV  Format = "csv"  // a zip of one UTF-8 CSV file per sheet
)

// Extension is the file name extension of the format.
func (f Format) Extension() string {
	if f == CSV {
		return "zip"
	}
	return "xlsx"
}

// ErrUnknownCohort is returned for a cohort id that is not in the database.
var ErrUnknownCohort = errors.New("unknown cohort")

// ErrUnknownSheet is returned for an Options.Sheet that the export does not have.
var ErrUnknownSheet = errors.New("no such table in this export")

// pageSize is how many rows one query reads.
const pageSize = 1000

// Options are the settings of one export.
type Options struct {
	Format Format
	// Progress, when set, is told the number of rows written so far after every page.
	Progress func(rows int)
	// Sheet, when set, is the one table to write, by its CSV file name (Files lists them): out
	// then receives that CSV file alone, UTF-8 with a BOM, not a zip; the sheets it is added
	// up from are read but not written, those after it not read. Format is ignored. The feeds
	// serve single tables this way.
	Sheet string
}

// Files are the CSV file names of the tables of an export of kind, in the order written
// into the zip.
func Files(kind Kind) []string {
	var files []string
	for _, s := range kindSheets[kind] {
		for t := s; t != nil; t = t.Below {
			files = append(files, t.File)
		}
	}
	return files
}

var kindSheets = map[Kind][]*sheet{KindCohort: cohortSheets, KindNeeds: needsSheets}

// Result counts the data rows written per sheet.
type Result struct {
	Rows  map[string]int `json:"rows"`
	Total int            `json:"total"`
}

// writer holds what every export shares: the book, the options and the row counts.
type writer struct {
	ctx  context.Context
	book book
	opts Options
	res  Result
	// inSheet counts the rows of the sheet being filled, for progress.
	inSheet int
}

func newWriter(ctx context.Context, out io.Writer, sheets []*sheet, opts Options) (*writer, error) {
	w := &writer{ctx: ctx, opts: opts, res: Result{Rows: map[string]int{}}}
	if opts.Sheet != "" {
		for _, s := range sheets {
			for t := s; t != nil; t = t.Below {
				if t.File == opts.Sheet {
					w.book = &oneCSV{out: out, file: opts.Sheet}
					return w, nil
				}
			}
		}
		return nil, fmt.Errorf("%w: %q", ErrUnknownSheet, opts.Sheet)
	}
	switch opts.Format {
	case XLSX, "":
		b, err := newXLSXBook(out, sheets)
		if err != nil {
			return nil, err
		}
		w.book = b
	case CSV:
		w.book = newCSVBook(out)
	default:
		return nil, fmt.Errorf("unknown format %q", opts.Format)
	}
	return w, nil
}

// sheet writes the sheet s with the rows that fill gives to the table.
func (w *writer) sheet(s *sheet, fill func(t table) error) error {
	w.inSheet = 0
	t, err := w.book.begin(s)
	if err != nil {
		return err
	}
	if err := fill(t); err != nil {
		return fmt.Errorf("sheet %s: %w", s.Name, err)
	}
	n, err := t.end()
	if w.opts.Sheet == "" || w.opts.Sheet == s.File { // a table only added up is not in the result
		w.res.Rows[s.Name] = n
		w.res.Total += n
	}
	w.inSheet = 0
	if err != nil {
		return err
	}
	return w.report()
}

// report tells the progress callback how many rows are written, and stops the export once its
// context is cancelled (the app shutting down).
func (w *writer) report() error {
	if w.opts.Progress != nil {
		w.opts.Progress(w.res.Total + w.inSheet)
	}
	return w.ctx.Err()
}

// step is one sheet and what fills it.
type step struct {
	s    *sheet
	fill func(table) error
}

// run writes the sheets in the order of steps and finishes the file.
func (w *writer) run(steps []step) (Result, error) {
	for _, st := range steps {
		if err := w.sheet(st.s, st.fill); err != nil {
			w.book.close()
			return Result{}, err
		}
		if st.s.File == w.opts.Sheet {
			break // the one table asked for is written
		}
	}
	return w.res, w.book.close()
}

// Kind is what an export holds.
type Kind string

// The kinds of export.
const (
	KindCohort Kind = "cohort" // the cohort workbook of the Engineer College
	KindNeeds  Kind = "needs"  // the needs summary of the enclave committee
)

// Request says what to export.
type Request struct {
	Kind   Kind
	Cohort string // the cohort's id, for KindCohort
	Period Period
}

// FileName is a name for the file of r, without the random part storage may add.
func (r Request) FileName(f Format) string {
	return string(r.Kind) + "_" + r.Period.String() + "." + f.Extension()
}

// Write writes the export r asks for to out, from one snapshot of the database (see snapshot).
// db is best the app's ConcurrentDB(), the pool of readers (app.DB() routes between two pools
// and cannot lend a connection), or a transaction.
func Write(ctx context.Context, db dbx.Builder, r Request, out io.Writer, opts Options) (res Result, err error) {
	err = snapshot(db, func(db dbx.Builder) error {
		switch r.Kind {
		case KindCohort:
			res, err = Cohort(ctx, db, r.Cohort, r.Period, out, opts)
		case KindNeeds:
			res, err = Needs(ctx, db, r.Period, out, opts)
		default:
			err = fmt.Errorf("unknown kind of export %q", r.Kind)
		}
		return err
	})
	return res, err
}

// exportCacheKiB is the SQLite page cache an export reads with. It reads each page once, in
// index order, so PocketBase's 32 MB per connection would only hold pages it never reads again:
// at 100,000 trips that cache was a fifth of the process's peak memory.
const exportCacheKiB = 512

// snapshot runs read on one connection of the pool db, in a read transaction: every sheet
// reads the same moment of the database (a trip that syncs during an export is in all of its
// sheets or none), and that connection's page cache is small while the export reads (its size
// is restored before the connection goes back to the pool). Given a transaction already, read
// runs in it as it is.
func snapshot(db dbx.Builder, read func(dbx.Builder) error) error {
	pool, ok := db.(*dbx.DB)
	if !ok {
		return read(db)
	}
	tx, err := pool.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback() // it only read
	var cache int
	if err := tx.NewQuery("PRAGMA cache_size").Row(&cache); err != nil {
		return err
	}
	if _, err := tx.NewQuery(fmt.Sprintf("PRAGMA cache_size = -%d", exportCacheKiB)).Execute(); err != nil {
		return err
	}
	err = read(tx)
	if _, rerr := tx.NewQuery(fmt.Sprintf("PRAGMA cache_size = %d", cache)).Execute(); err == nil {
		err = rerr
	}
	return err
}
