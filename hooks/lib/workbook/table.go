package workbook

import (
	"time"

	"feidi/hooks/lib/tz"
)

// kind says how a column's values are written: as text, as an Excel number with a format, or as
// a real Excel date.
type kind int

const (
	text     kind = iota
	integer       // a count
	decimal       // hours, kilometres: two decimals
	yuan          // money, given in fen (int64) so that sums are exact; shown as yuan with two decimals
	wan           // money in 10k yuan (万元), given as float64
	date          // a calendar day, given as a date at 00:00 UTC
	month         // a month, given as its first day at 00:00 UTC
	datetime      // an instant, written as Shanghai wall-clock time
)

// column is one column of a sheet: the Chinese header people read, the English field name the
// README documents, how its values are written and how wide it is.
type column struct {
	Title string
	Field string
	Kind  kind
	Width float64
}

// sheet is one table of an export: an xlsx worksheet or a CSV file in the zip.
type sheet struct {
	Name    string
	File    string // the CSV file name, ASCII so every unzip tool copes
	Columns []column
	// Below is a table written under this one on the same worksheet, after a blank row, and
	// in its own CSV file; it is written right after this one.
	Below *sheet
	// Charts are native charts of this table's rows, drawn under it (xlsx only). They read the
	// table's cells, so a number fixed in the sheet moves its chart.
	Charts []chart
}

// chart is a column chart of a table: one category per row, one series per value column.
type chart struct {
	Title    string
	Category string   // the field of the column that names the rows
	Values   []string // the fields of the columns drawn, one series each
	Stacked  bool
}

// book receives the sheets of an export one after the other.
type book interface {
	// begin starts s; its rows follow through the returned table until end is called.
	begin(s *sheet) (table, error)
	// close finishes the file.
	close() error
}

// table receives the rows of one sheet. Values are in the order of the columns and of the
// types their kinds say.
type table interface {
	row(values ...any) error
	// end finishes the sheet and reports how many data rows it has.
	end() (int, error)
}

// wall is t as Shanghai wall-clock time carried in UTC: spreadsheets know no zones, and people
// read the enclave's times in Beijing time.
func wall(t time.Time) time.Time {
	s := t.In(tz.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), s.Second(), 0, time.UTC)
}

// fenToYuan turns an exact amount in fen into yuan.
func fenToYuan(fen int64) float64 { return float64(fen) / 100 }
