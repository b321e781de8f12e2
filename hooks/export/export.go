// Package export writes the enclave's exports: the cohort workbook of the Engineer College and
// the needs summary of the enclave committee, as an xlsx workbook or a zip of CSV files. It reads
// the database in pages and streams rows, so memory does not grow with the size of an export. It
// knows nothing of HTTP or of jobs: the exports worker and the `export` command both call it.
//
// README.md beside this file documents the sheets, their columns and the day rule.
package export

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

// pageSize is how many rows one query reads.
const pageSize = 1000

// Options are the settings of one export.
type Options struct {
	Format Format
	// Progress, when set, is told the number of rows written so far after every page.
	Progress func(rows int)
}

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
	w.res.Rows[s.Name] = n
	w.res.Total += n
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

// Write writes the export r asks for to out.
func Write(ctx context.Context, db dbx.Builder, r Request, out io.Writer, opts Options) (Result, error) {
	switch r.Kind {
	case KindCohort:
		return Cohort(ctx, db, r.Cohort, r.Period, out, opts)
	case KindNeeds:
		return Needs(ctx, db, r.Period, out, opts)
	}
	return Result{}, fmt.Errorf("unknown kind of export %q", r.Kind)
}
