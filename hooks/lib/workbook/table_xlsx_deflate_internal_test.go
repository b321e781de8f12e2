package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"testing"
)

// TestChunkedDeflateReadsBackWhole writes parts of several chunks, of exactly one chunk and
// empty ones, between parts that archive/zip compresses itself, in writes of odd sizes, and
// reads the zip back with archive/zip, which checks each part's CRC and sizes.
func TestChunkedDeflateReadsBackWhole(t *testing.T) {
	var rows bytes.Buffer
	for i := 0; rows.Len() < 3*deflateChunk+deflateChunk/3; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>t%015d</t></is></c><c r="B%d"><v>%d.%d</v></c></row>`,
			i+2, i+2, i*7919%100003, i+2, i*31, i%97)
	}
	parts := []struct {
		name    string
		data    []byte
		chunked bool
	}{
		{"first.xml", []byte("<a/>"), false},
		{"big.xml", rows.Bytes(), true},
		{"one-chunk.xml", rows.Bytes()[:deflateChunk], true},
		{"empty.xml", nil, true},
		{"middle.xml", []byte("<b/>"), false},
		{"small.xml", rows.Bytes()[:1000], true},
	}
	var file bytes.Buffer
	zw := zip.NewWriter(&file)
	for _, p := range parts {
		if !p.chunked {
			w, err := zw.Create(p.name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(p.data)
			continue
		}
		d, err := createDeflated(zw, p.name)
		if err != nil {
			t.Fatal(err)
		}
		for rest, n := p.data, 1; len(rest) > 0; n = n*3 + 1 { // 1, 4, 13, … bytes at a time
			k := min(n%(deflateChunk+7), len(rest))
			if _, err := d.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	zr, err := zip.NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(parts) {
		t.Fatalf("%d parts read back, want %d", len(zr.File), len(parts))
	}
	for i, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r) // checks the CRC and the size at the end
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.Name != parts[i].name || !bytes.Equal(got, parts[i].data) {
			t.Errorf("part %d: %s of %d bytes, want %s of %d bytes as written", i, f.Name, len(got), parts[i].name, len(parts[i].data))
		}
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want deflate", f.Name, f.Method)
		}
	}

	// Chunks without a shared dictionary cost little against one stream at the same level.
	var one bytes.Buffer
	w, _ := flate.NewWriter(&one, deflateLevel)
	w.Write(rows.Bytes())
	w.Close()
	if big := zr.File[1].CompressedSize64; float64(big) > 1.01*float64(one.Len()) {
		t.Errorf("big.xml compressed in chunks to %d bytes, one stream to %d: more than 1%% larger", big, one.Len())
	}
}
