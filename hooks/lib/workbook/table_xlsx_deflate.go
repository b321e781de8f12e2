package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"sync"
)

// chunkedDeflate writes one part of a zip compressed on every core: the part is cut into
// chunks of deflateChunk bytes, each compressed on its own goroutine, and the chunks are
// written in order as one deflate stream. Every chunk but the last ends with a sync flush,
// which ends its blocks on a byte boundary without ending the stream, so the chunks join
// as they are (pigz does the same). A worksheet of 100,000 trips is 79 MB of XML, and its
// deflate was a quarter of an export's time on one core (BENCHMARKS.md, Exports).
//
// It compresses at archive/zip's own level (5). Chunks do not share a dictionary; at 1 MiB
// that costs well under 1 % of the compressed size. At most GOMAXPROCS+1 chunks are in hand.
type chunkedDeflate struct {
	fh      *zip.FileHeader
	out     io.Writer // the part's raw bytes in the zip
	crc     hash.Hash32
	size    uint64 // uncompressed bytes so far
	written uint64 // compressed bytes written
	buf     []byte // the chunk being filled
	pending []chan *bytes.Buffer
	err     error
}

// deflateChunk is how much of a part one goroutine compresses.
const deflateChunk = 1 << 20

// deflateLevel is archive/zip's level (register.go: flate.NewWriter(w, 5)).
const deflateLevel = 5

// The compressors, the chunks and their compressed bytes are used again, part after part and
// export after export, rather than left to the collector: 79 MiB of chunks at 100,000 trips.
var (
	deflaters = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, deflateLevel) // the level is valid: no error
		return w
	}}
	chunks = sync.Pool{New: func() any {
		b := make([]byte, 0, deflateChunk)
		return &b
	}}
	compressed = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

func newChunk() []byte { return (*chunks.Get().(*[]byte))[:0] }

// createDeflated starts the part name in zw, to be compressed in chunks; Close finishes it,
// before the next part is created.
func createDeflated(zw *zip.Writer, name string) (*chunkedDeflate, error) {
	// What Writer.Create sets for an ASCII name, with the sizes and CRC in the data descriptor
	// after the data (flag 0x8), since they are known only at the end.
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Flags: 0x8, CreatorVersion: 20, ReaderVersion: 20}
	out, err := zw.CreateRaw(fh)
	if err != nil {
		return nil, err
	}
	return &chunkedDeflate{fh: fh, out: out, crc: crc32.NewIEEE(), buf: newChunk()}, nil
}

func (d *chunkedDeflate) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	d.crc.Write(p)
	d.size += uint64(len(p))
	n := len(p)
	for len(p) > 0 {
		k := copy(d.buf[len(d.buf):cap(d.buf)], p)
		d.buf, p = d.buf[:len(d.buf)+k], p[k:]
		if len(d.buf) == cap(d.buf) {
			d.start(false)
			if d.err = d.drain(runtime.GOMAXPROCS(0)); d.err != nil {
				return 0, d.err
			}
		}
	}
	return n, nil
}

// start compresses the chunk in hand in the background; the last one ends the stream.
func (d *chunkedDeflate) start(last bool) {
	data := d.buf
	d.buf = nil
	if !last {
		d.buf = newChunk()
	}
	done := make(chan *bytes.Buffer, 1)
	go func() {
		out := compressed.Get().(*bytes.Buffer)
		out.Reset()
		w := deflaters.Get().(*flate.Writer)
		w.Reset(out)
		w.Write(data) // a bytes.Buffer takes every write
		if last {
			w.Close()
		} else {
			w.Flush()
		}
		deflaters.Put(w)
		data = data[:0]
		chunks.Put(&data)
		done <- out
	}()
	d.pending = append(d.pending, done)
}

// drain writes the compressed chunks, in order, until at most keep are still compressing.
func (d *chunkedDeflate) drain(keep int) error {
	for len(d.pending) > keep {
		b := <-d.pending[0]
		d.pending = d.pending[1:]
		n, err := d.out.Write(b.Bytes())
		compressed.Put(b)
		d.written += uint64(n)
		if err != nil {
			return err
		}
	}
	return nil
}

// Close writes the rest of the part and puts its CRC and sizes in its header, for the data
// descriptor and the central directory the zip writes next.
func (d *chunkedDeflate) Close() error {
	if d.err == nil {
		d.start(true)
		d.err = d.drain(0)
	}
	if d.err != nil {
		for _, done := range d.pending { // let the goroutines finish; the zip is broken anyway
			compressed.Put(<-done)
		}
		d.pending = nil
		return d.err
	}
	d.fh.CRC32 = d.crc.Sum32()
	d.fh.CompressedSize64, d.fh.UncompressedSize64 = d.written, d.size
	// The central directory reads the 32-bit fields below 4 GiB (CreateRaw sets them from the
	// 64-bit ones, which were not known yet).
	d.fh.CompressedSize = uint32(min(d.written, math.MaxUint32))
	d.fh.UncompressedSize = uint32(min(d.size, math.MaxUint32))
	return nil
}
