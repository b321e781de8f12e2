package workbook

import (
	"archive/zip"
	"bytes"
	"io"
)

// xlsxZip is the zip writer excelize saves the workbook through (File.SetZipWriter). It does
// two things excelize's own cannot do for streamed sheets:
//
//   - It declares each worksheet's used range. StreamWriter writes the sheet's <dimension>
//     element in NewStreamWriter, before the first row (stream.go: bulkAppendFields(…, 3, 4)
//     on the worksheet's SheetPr and Dimension), so it is always the template's "A1" unless
//     the size is known before the rows. Ours come page by page from a query; counting them
//     first would be a second scan that a sync landing in between could make disagree with
//     the rows. The size is known once the rows are written, so it is written here, as the
//     streamed part is copied into the zip: the one element, early in the part, replaced.
//     Readers that trust the declared size (openpyxl read-only, in2csv, QXlsx) then see
//     every row.
//   - It writes the zip straight to the export's writer. WriteTo otherwise builds the whole
//     file in a bytes.Buffer (File.WriteToBuffer) and copies it out, so memory grew with the
//     size of the file; the buffer it hands to this writer is left empty. (That buffer is
//     only read back for encryption and for zip64 parts over 4 GiB, neither of which an
//     export of MaxMonths comes near.)
//   - It compresses the streamed worksheets, by far the largest parts, on every core
//     (chunkedDeflate).
type xlsxZip struct {
	*zip.Writer
	// dims are the used ranges of the streamed worksheets, by part name:
	// "xl/worksheets/sheet3.xml" → "A1:O626".
	dims map[string]string
	// open is the worksheet part being written, whose held-back head the next Create or Close
	// lets out, and part its compressor, which they finish.
	open *dimensionWriter
	part *chunkedDeflate
}

func newXLSXZip(out io.Writer) *xlsxZip {
	return &xlsxZip{Writer: zip.NewWriter(out), dims: map[string]string{}}
}

// Create starts a part of the zip; a streamed worksheet's part gets its dimension on the way.
func (z *xlsxZip) Create(name string) (io.Writer, error) {
	if err := z.release(); err != nil {
		return nil, err
	}
	if z.dims[name] == "" {
		return z.Writer.Create(name)
	}
	part, err := createDeflated(z.Writer, name)
	if err != nil {
		return nil, err
	}
	z.part = part
	z.open = &dimensionWriter{w: part, with: []byte(`<dimension ref="` + z.dims[name] + `">`)}
	return z.open, nil
}

// Close finishes the zip.
func (z *xlsxZip) Close() error {
	if err := z.release(); err != nil {
		return err
	}
	return z.Writer.Close()
}

// release writes what the open worksheet part still holds back and finishes its compression.
func (z *xlsxZip) release() error {
	if z.open == nil {
		return nil
	}
	d, part := z.open, z.part
	z.open, z.part = nil, nil
	if err := d.flush(-1); err != nil {
		part.Close()
		return err
	}
	return part.Close()
}

// templateDimension is the element StreamWriter writes for a new sheet (its xml.Encoder never
// self-closes).
var templateDimension = []byte(`<dimension ref="A1">`)

// dimensionWriter passes a worksheet part through, replacing its first templateDimension.
// It holds back only the bytes before it: the XML declaration, the root element's namespaces
// and sheetPr, well under a kilobyte.
type dimensionWriter struct {
	w    io.Writer
	with []byte
	head []byte // held back while the element is not found yet
	done bool
}

// headLimit bounds what is held back: past it, the part has no dimension to replace.
const headLimit = 64 << 10

func (d *dimensionWriter) Write(p []byte) (int, error) {
	if d.done {
		return d.w.Write(p)
	}
	d.head = append(d.head, p...)
	i := bytes.Index(d.head, templateDimension)
	if i < 0 && len(d.head) < headLimit {
		return len(p), nil
	}
	if err := d.flush(i); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes the held-back head, with the element at i (if i ≥ 0) replaced.
func (d *dimensionWriter) flush(i int) error {
	if d.done {
		return nil
	}
	d.done = true
	out := d.head
	if i >= 0 {
		out = append(append(append([]byte{}, d.head[:i]...), d.with...), d.head[i+len(templateDimension):]...)
	}
	d.head = nil
	_, err := d.w.Write(out)
	return err
}
