package sqlcache

import (
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite keeps the statement and savepoint journal in memory (PocketBase's temp_store(MEMORY)),
// in chunks of 1,024 bytes that it asks sqlite3_malloc for (memjrnl.c) and frees when the
// statement or savepoint ends. modernc's C heap (modernc.org/memory) serves chunks of that size
// from 64 KiB pages it maps for them and unmaps the moment a page's last chunk is freed. A
// write transaction journals every page a statement with triggers or a savepoint first
// modifies, then frees it all: in a sync push (a savepoint and a triggered INSERT a record) each
// record mapped and unmapped pages of its own, with the page faults of fresh memory — mmap and
// munmap were ~18 % of a 1,000-record push's CPU (BENCHMARKS.md).
//
// JournalPages of those pages are therefore kept mapped for the life of the process, by one
// chunk in each that is never freed (JournalPages × 64 KiB of address space, 1 MiB); the journal
// reuses the pages' other chunks. A statement journalling more than they hold maps more pages,
// as before.
const JournalPages = 16

// journalChunk is what memjrnl.c asks sqlite3_malloc for a chunk: sizeof(FileChunk) (16) plus
// nChunkSize - 8, nChunkSize being 8 + MEMJOURNAL_DFLT_FILECHUNKSIZE - sizeof(FileChunk); that
// is MEMJOURNAL_DFLT_FILECHUNKSIZE itself.
const journalChunk = sqlite3.MEMJOURNAL_DFLT_FILECHUNKSIZE

// heapPage is the size and alignment of modernc.org/memory's pages (its pageSizeLog, 16).
const heapPage = 1 << 16

// pinned are the chunks kept, one in each page held mapped.
var pinned = keepJournalPages(JournalPages)

// keepJournalPages holds pages of journal chunks mapped: it takes chunks until it has seen
// `pages` distinct pages fill up, keeps the first chunk of each page, frees the others and
// returns the kept ones.
func keepJournalPages(pages int) (pinned []uintptr) {
	tls := libc.NewTLS()
	defer tls.Close()
	first := map[uintptr]uintptr{} // page → its first chunk
	var taken []uintptr
	for len(first) <= pages { // one page more than kept: the last one is not full
		p := sqlite3.Xsqlite3_malloc(tls, journalChunk)
		if p == 0 {
			break
		}
		taken = append(taken, p)
		if _, ok := first[p&^(heapPage-1)]; !ok {
			first[p&^(heapPage-1)] = p
		}
	}
	for _, p := range taken {
		if first[p&^(heapPage-1)] == p && len(pinned) < pages {
			pinned = append(pinned, p)
			continue
		}
		sqlite3.Xsqlite3_free(tls, p)
	}
	return pinned
}
