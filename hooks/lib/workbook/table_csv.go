package workbook

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// utf8BOM makes Excel and WPS open a CSV file as UTF-8 instead of the system's GBK.
const utf8BOM = "\uFEFF"

// csvBook writes one CSV file per sheet into a zip, each UTF-8 with a BOM. Values are written
// as Excel would read them back: dates as yyyy-mm-dd, money with two decimals.
type csvBook struct {
	zw *zip.Writer
}

func newCSVBook(out io.Writer) *csvBook { return &csvBook{zw: zip.NewWriter(out)} }

func (b *csvBook) begin(s *sheet) (table, error) {
	w, err := b.zw.Create(s.File)
	if err != nil {
		return nil, err
	}
	return newCSVTable(w, s)
}

func (b *csvBook) close() error { return b.zw.Close() }

// oneCSV writes the table named file as one CSV file to out; the others' rows are counted
// and dropped.
type oneCSV struct {
	out  io.Writer
	file string
}

func (b *oneCSV) begin(s *sheet) (table, error) {
	if s.File != b.file {
		return &csvTable{sheet: s, w: csv.NewWriter(io.Discard), record: make([]string, len(s.Columns)), discard: true}, nil
	}
	return newCSVTable(b.out, s)
}

func (b *oneCSV) close() error { return nil }

// newCSVTable starts a CSV file of s on w: the BOM, then the header row.
func newCSVTable(w io.Writer, s *sheet) (table, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return nil, err
	}
	t := &csvTable{sheet: s, w: csv.NewWriter(w), record: make([]string, len(s.Columns))}
	t.w.UseCRLF = true // what Excel writes and expects
	for i, c := range s.Columns {
		t.record[i] = c.Title
	}
	return t, t.w.Write(t.record)
}

type csvTable struct {
	sheet   *sheet
	w       *csv.Writer
	rows    int
	record  []string
	discard bool // a table read only to add up another
}

func (t *csvTable) row(values ...any) error {
	if t.discard {
		t.rows++
		return nil
	}
	for i, v := range values {
		t.record[i] = formatCSV(t.sheet.Columns[i].Kind, v)
	}
	t.rows++
	return t.w.Write(t.record)
}

func formatCSV(k kind, v any) string {
	if v == nil {
		return ""
	}
	switch k {
	case integer:
		return strconv.Itoa(v.(int))
	case decimal, wan:
		return strconv.FormatFloat(v.(float64), 'f', 2, 64)
	case yuan:
		return strconv.FormatFloat(fenToYuan(v.(int64)), 'f', 2, 64)
	case date:
		return v.(time.Time).Format(time.DateOnly)
	case month:
		return v.(time.Time).Format("2006-01")
	case datetime:
		return v.(time.Time).Format("2006-01-02 15:04")
	default:
		return defuse(v.(string))
	}
}

// defuse keeps typed text from running as a formula when Excel or WPS opens the CSV
// (=HYPERLINK(…) in a need's title): such a cell gets a leading apostrophe, OWASP's advice.
// The xlsx sheets need nothing: their cells are typed as text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (t *csvTable) end() (int, error) {
	t.w.Flush()
	return t.rows, t.w.Error()
}
