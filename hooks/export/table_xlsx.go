package export

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// xlsxBook writes an Excel workbook with excelize's StreamWriter: rows go to a temporary file
// as they come, so memory does not grow with the number of rows.
type xlsxBook struct {
	f      *excelize.File
	zip    *xlsxZip
	parts  map[string]string // worksheet part by sheet name
	styles map[kind]int
	header int
}

// newXLSXBook creates the workbook with its sheets in the order people see them; they may then
// be written in any order (summaries last, once the details have been added up).
func newXLSXBook(out io.Writer, sheets []*sheet) (*xlsxBook, error) {
	f := excelize.NewFile()
	b := &xlsxBook{f: f, zip: newXLSXZip(out), parts: map[string]string{}, styles: map[kind]int{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return b.zip })
	if err := f.SetSheetName("Sheet1", sheets[0].Name); err != nil {
		return nil, err
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s.Name); err != nil {
			return nil, err
		}
	}
	// A new workbook's sheet with id N is the part xl/worksheets/sheetN.xml (File.NewSheet).
	for id, name := range f.GetSheetMap() {
		b.parts[name] = "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml"
	}
	formats := map[kind]*excelize.Style{
		integer:  {NumFmt: 1},                                       // 0
		decimal:  {NumFmt: 2},                                       // 0.00
		yuan:     {NumFmt: 4},                                       // #,##0.00
		wan:      {NumFmt: 4},                                       // #,##0.00
		date:     {CustomNumFmt: ptr("yyyy-mm-dd")},                 // a real date, shown ISO-style
		month:    {CustomNumFmt: ptr("yyyy-mm")},                    // a real date, shown as its month
		datetime: {CustomNumFmt: ptr("yyyy-mm-dd hh:mm")},           // Beijing time
		text:     {Alignment: &excelize.Alignment{Vertical: "top"}}, // plain
	}
	for k, st := range formats {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, err
		}
		b.styles[k] = id
	}
	var err error
	b.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	return b, err
}

func ptr[T any](v T) *T { return &v }

func (b *xlsxBook) begin(s *sheet) (table, error) {
	sw, err := b.f.NewStreamWriter(s.Name)
	if err != nil {
		return nil, err
	}
	for i, c := range s.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return nil, err
		}
	}
	// The header row stays in view while scrolling.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		header[i] = excelize.Cell{StyleID: b.header, Value: c.Title}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return nil, err
	}
	t := &xlsxTable{book: b, sheet: s, sw: sw, cells: make([]any, len(s.Columns)), kinds: make([]excelize.Cell, len(s.Columns))}
	for i, c := range s.Columns {
		t.kinds[i] = excelize.Cell{StyleID: b.styles[c.Kind]}
	}
	return t, nil
}

func (b *xlsxBook) close() error {
	defer b.f.Close()
	// The zip goes to the export's writer through b.zip; WriteTo's own is left empty.
	_, err := b.f.WriteTo(io.Discard)
	return err
}

type xlsxTable struct {
	book  *xlsxBook
	sheet *sheet
	sw    *excelize.StreamWriter
	rows  int
	cells []any
	kinds []excelize.Cell
}

func (t *xlsxTable) row(values ...any) error {
	if len(values) != len(t.cells) {
		return fmt.Errorf("sheet %s: %d values for %d columns", t.sheet.Name, len(values), len(t.cells))
	}
	for i, v := range values {
		c := t.kinds[i]
		switch fen, isFen := v.(int64); {
		case isFen && t.sheet.Columns[i].Kind == yuan:
			c.Value = fenToYuan(fen)
		default:
			c.Value = v
		}
		t.cells[i] = c
	}
	t.rows++
	cell, err := excelize.CoordinatesToCellName(1, t.rows+1)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, t.cells)
}

func (t *xlsxTable) end() (int, error) {
	last, err := excelize.CoordinatesToCellName(len(t.sheet.Columns), t.rows+1)
	if err != nil {
		return 0, err
	}
	// The stream writer writes the worksheet's autoFilter element at Flush, so setting it on
	// the sheet before flushing is enough; it loads no rows.
	if err := t.book.f.AutoFilter(t.sheet.Name, "A1:"+last, nil); err != nil {
		return 0, err
	}
	t.book.zip.dims[t.book.parts[t.sheet.Name]] = "A1:" + last
	return t.rows, t.sw.Flush()
}
