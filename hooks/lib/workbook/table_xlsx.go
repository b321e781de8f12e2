package workbook

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// xlsxBook writes an Excel workbook with excelize's StreamWriter: rows go to a temporary file
// as they come, so memory does not grow with the number of rows.
type xlsxBook struct {
	f      *excelize.File
	zip    *xlsxZip
	parts  map[string]string // worksheet part by sheet name
	owner  map[*sheet]*sheet // the sheet whose worksheet a Below table is written on
	styles map[kind]int
	header int

	// The worksheet being written: its stream, its next free row, its widest table, the
	// widths of its columns.
	ws     *sheet
	sw     *excelize.StreamWriter
	next   int
	width  int
	widths []float64
}

// newXLSXBook creates the workbook with its sheets in the order people see them; they may then
// be written in any order (summaries last, once the details have been added up).
func newXLSXBook(out io.Writer, sheets []*sheet) (*xlsxBook, error) {
	f := excelize.NewFile()
	b := &xlsxBook{f: f, zip: newXLSXZip(out), parts: map[string]string{}, owner: map[*sheet]*sheet{}, styles: map[kind]int{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return b.zip })
	if err := f.SetSheetName("Sheet1", sheets[0].Name); err != nil {
		return nil, err
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s.Name); err != nil {
			return nil, err
		}
	}
	for _, s := range sheets {
		for below := s.Below; below != nil; below = below.Below {
			b.owner[below] = s
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

// begin starts the worksheet of s, or, for a Below table, continues its owner's after a blank row.
func (b *xlsxBook) begin(s *sheet) (table, error) {
	if owner := b.owner[s]; owner != nil {
		if b.ws != owner {
			return nil, fmt.Errorf("sheet %s: written after %s, not right after %s", s.Name, b.ws.Name, owner.Name)
		}
		b.next++
	} else if err := b.startSheet(s); err != nil {
		return nil, err
	}
	header := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		header[i] = excelize.Cell{StyleID: b.header, Value: c.Title}
	}
	t := &xlsxTable{book: b, sheet: s, top: b.next, cells: make([]excelize.Cell, len(s.Columns)), values: make([]any, len(s.Columns))}
	for i, c := range s.Columns {
		t.cells[i].StyleID = b.styles[c.Kind]
		t.values[i] = &t.cells[i]
	}
	b.width = max(b.width, len(s.Columns))
	return t, t.set(header, excelize.RowOpts{Height: 30})
}

// startSheet finishes the worksheet in hand and opens the stream of s's.
func (b *xlsxBook) startSheet(s *sheet) error {
	if err := b.flush(); err != nil {
		return err
	}
	if hasCharts(s) {
		// A sheet with charts prints one page wide, charts and all; landscape when it is wide.
		// The stream writes sheetPr (fitToPage) when it starts and pageSetup when it ends.
		if err := b.f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
			return err
		}
		orientation := "portrait"
		if wide(s) {
			orientation = "landscape"
		}
		if err := b.f.SetPageLayout(s.Name, &excelize.PageLayoutOptions{
			Orientation: ptr(orientation), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
			return err
		}
	}
	sw, err := b.f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	// A column is as wide as the widest of the tables that share it.
	var widths []float64
	for t := s; t != nil; t = t.Below {
		for i, c := range t.Columns {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], c.Width)
		}
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	// The header row stays in view while scrolling.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	b.ws, b.sw, b.next, b.width, b.widths = s, sw, 1, 0, widths
	return nil
}

// hasCharts says whether a table of the worksheet of s draws charts.
func hasCharts(s *sheet) bool {
	for t := s; t != nil; t = t.Below {
		if len(t.Charts) > 0 {
			return true
		}
	}
	return false
}

// wide says whether the first table of s is wider than a portrait page shows well: 100
// characters.
func wide(s *sheet) bool {
	var width float64
	for _, c := range s.Columns {
		width += c.Width
	}
	return width > 100
}

// flush finishes the worksheet in hand: its declared size, then the stream.
func (b *xlsxBook) flush() error {
	if b.sw == nil {
		return nil
	}
	last, err := excelize.CoordinatesToCellName(b.width, b.next-1)
	if err != nil {
		return err
	}
	b.zip.dims[b.parts[b.ws.Name]] = "A1:" + last
	sw := b.sw
	b.ws, b.sw = nil, nil
	return sw.Flush()
}

func (b *xlsxBook) close() error {
	defer b.f.Close()
	if err := b.flush(); err != nil {
		return err
	}
	// The zip goes to the export's writer through b.zip; WriteTo's own is left empty.
	_, err := b.f.WriteTo(io.Discard)
	return err
}

type xlsxTable struct {
	book  *xlsxBook
	sheet *sheet
	top   int // the header's row
	rows  int
	// cells are the row being written, each with its column's style; values point at them,
	// so that a value is boxed once on its way to the stream, not again in a Cell.
	cells  []excelize.Cell
	values []any
}

// set writes values as the worksheet's next row.
func (t *xlsxTable) set(values []any, opts ...excelize.RowOpts) error {
	cell, err := excelize.CoordinatesToCellName(1, t.book.next)
	if err != nil {
		return err
	}
	t.book.next++
	return t.book.sw.SetRow(cell, values, opts...)
}

func (t *xlsxTable) row(values ...any) error {
	if len(values) != len(t.cells) {
		return fmt.Errorf("sheet %s: %d values for %d columns", t.sheet.Name, len(values), len(t.cells))
	}
	for i, v := range values {
		c := &t.cells[i]
		switch fen, isFen := v.(int64); {
		case isFen && t.sheet.Columns[i].Kind == yuan:
			c.Value = fenToYuan(fen)
		default:
			c.Value = v
		}
	}
	t.rows++
	return t.set(t.values)
}

func (t *xlsxTable) end() (int, error) {
	first, err := excelize.CoordinatesToCellName(1, t.top)
	if err != nil {
		return 0, err
	}
	last, err := excelize.CoordinatesToCellName(len(t.sheet.Columns), t.top+t.rows)
	if err != nil {
		return 0, err
	}
	// The stream writer writes the worksheet's autoFilter and drawing elements at Flush, so
	// setting them on the sheet before flushing is enough; it loads no rows. A worksheet has
	// one autofilter: its first table's.
	if t.book.owner[t.sheet] == nil {
		if err := t.book.f.AutoFilter(t.book.ws.Name, first+":"+last, nil); err != nil {
			return 0, err
		}
	}
	for i, c := range t.sheet.Charts {
		if err := t.addChart(i, c); err != nil {
			return 0, err
		}
	}
	return t.rows, nil
}

// chartWidth is the width of a chart in pixels; the charts of a table stand side by side.
const chartWidth, chartHeight, chartGap = 520, 300, 16

// addChart draws the i-th chart of the table two rows under it, reading its cells.
func (t *xlsxTable) addChart(i int, c chart) error {
	sheet := t.book.ws.Name
	column := func(field string) (string, error) {
		k := slices.IndexFunc(t.sheet.Columns, func(c column) bool { return c.Field == field })
		if k < 0 {
			return "", fmt.Errorf("sheet %s: chart %q draws an unknown column %s", t.sheet.Name, c.Title, field)
		}
		return excelize.ColumnNumberToName(k + 1)
	}
	ref := func(col string, from, to int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col, from, col, to)
	}
	cat, err := column(c.Category)
	if err != nil {
		return err
	}
	first, last := t.top+1, t.top+max(t.rows, 1)
	ch := &excelize.Chart{
		Type:      excelize.Col,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title}}},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		// One colour per series, not per bar: the months of a series are one thing.
		VaryColors: ptr(false),
		Format:     excelize.GraphicOptions{AltText: c.Title},
		YAxis:      excelize.ChartAxis{Minimum: ptr(0.0)}, // bars from zero, not from near the smallest
	}
	if c.Stacked {
		ch.Type = excelize.ColStacked
	}
	for _, field := range c.Values {
		col, err := column(field)
		if err != nil {
			return err
		}
		ch.Series = append(ch.Series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$%d", sheet, col, t.top),
			Categories: ref(cat, first, last),
			Values:     ref(col, first, last),
		})
	}
	anchor, err := excelize.CoordinatesToCellName(t.book.chartColumn(i), t.top+t.rows+2)
	if err != nil {
		return err
	}
	return t.book.f.AddChart(sheet, anchor, ch)
}

// chartColumn is the column the i-th chart of a row of charts starts at: the first whose left
// edge is past the charts before it. (An anchor cell with a large OffsetX is not moved along
// by every reader: LibreOffice draws such charts on top of each other.)
func (b *xlsxBook) chartColumn(i int) int {
	left, want := 0, i*(chartWidth+chartGap)
	for c := 1; ; c++ {
		if left >= want {
			return c
		}
		w := 9.140625 // excelize's default column width (templates.go)
		if c <= len(b.widths) {
			w = b.widths[c-1]
		}
		left += int(w*8 + 0.5) // excelize's pixels of a column width (col.go, convertColWidthToPixels)
	}
}
