package main

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// frame is one frame of a WAL: the page it holds, and whether it ends a transaction.
type frame struct {
	page   uint32
	commit bool
}

const (
	walHeader   = 32
	frameHeader = 24
)

// readFrames reads the frames of a WAL (https://www.sqlite.org/fileformat.html#the_write_ahead_log)
// that belong to its current generation: those whose salts are the header's. Frames left from
// before the last reset, and a torn frame at the end, are not counted.
func readFrames(log []byte) ([]frame, error) {
	if len(log) == 0 {
		return nil, nil // checkpointed and truncated: nothing written since
	}
	if len(log) < walHeader {
		return nil, fmt.Errorf("the log is %d bytes, shorter than its header", len(log))
	}
	if magic := binary.BigEndian.Uint32(log); magic&^1 != 0x377f0682 {
		return nil, errors.New("not a SQLite write-ahead log (bad magic number)")
	}
	pageSize := int(binary.BigEndian.Uint32(log[8:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	salt1, salt2 := binary.BigEndian.Uint32(log[16:]), binary.BigEndian.Uint32(log[20:])
	var frames []frame
	for off := walHeader; off+frameHeader+pageSize <= len(log); off += frameHeader + pageSize {
		h := log[off:]
		if binary.BigEndian.Uint32(h[8:]) != salt1 || binary.BigEndian.Uint32(h[12:]) != salt2 {
			break
		}
		frames = append(frames, frame{page: binary.BigEndian.Uint32(h), commit: binary.BigEndian.Uint32(h[4:]) != 0})
	}
	return frames, nil
}

// owner is the b-tree a page belongs to and the page's kind (leaf, internal, overflow).
type owner struct{ name, kind string }

type census struct {
	frames, distinct, commits int
	rows                      []row
}

type row struct {
	owner
	frames int
}

// count sorts the frames by the b-tree their page belongs to, most frames first; a page the
// database no longer holds (freed since) counts as "?".
func count(frames []frame, owners map[uint32]owner) census {
	c := census{frames: len(frames)}
	pages := map[uint32]bool{}
	by := map[owner]int{}
	for _, f := range frames {
		pages[f.page] = true
		if f.commit {
			c.commits++
		}
		o, ok := owners[f.page]
		if !ok {
			o = owner{name: "?", kind: "?"}
		}
		by[o]++
	}
	c.distinct = len(pages)
	for o, n := range by {
		c.rows = append(c.rows, row{o, n})
	}
	slices.SortFunc(c.rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.frames, a.frames), cmp.Compare(a.name, b.name), cmp.Compare(a.kind, b.kind))
	})
	return c
}
