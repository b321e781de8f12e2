// Command walpages says which tables and indexes the frames in a SQLite database's write-ahead
// log belong to: what a write cost in pages, b-tree by b-tree.
//
// Every page a transaction changes is written to the WAL as one frame at its commit (and copied
// back to the database at the next checkpoint), so the frames a sync push leaves are what its
// COMMIT writes. To count them for one push: stop the server's other traffic, empty the WAL
// (`sqlite3 DATA/data.db 'PRAGMA wal_checkpoint(TRUNCATE)'`), make the push, then
//
//	go run ./bench/walpages -db DATA/data.db
//
// It reads the WAL first and opens the database read-only afterwards (a read-only connection
// never checkpoints), so the log it reports on is left as it was.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"

	_ "modernc.org/sqlite"
)

func main() {
	db := flag.String("db", "", "the database file; its log is the file beside it with -wal appended")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "walpages: -db is required")
		os.Exit(2)
	}
	if err := run(os.Stdout, *db); err != nil {
		fmt.Fprintln(os.Stderr, "walpages:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, path string) error {
	log, err := os.ReadFile(path + "-wal")
	if err != nil {
		return err
	}
	frames, err := readFrames(log)
	if err != nil {
		return err
	}
	owners, err := pageOwners(path)
	if err != nil {
		return err
	}
	c := count(frames, owners)
	fmt.Fprintf(w, "frames %d, distinct pages %d, commits %d\n", c.frames, c.distinct, c.commits)
	for _, r := range c.rows {
		fmt.Fprintf(w, "%6d  %-8s  %s\n", r.frames, r.kind, r.name)
	}
	return nil
}

// pageOwners maps each page of the database to its b-tree and the page's kind, from SQLite's
// dbstat table, on a read-only connection.
func pageOwners(path string) (map[uint32]owner, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query("SELECT pageno, name, pagetype FROM dbstat")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	owners := map[uint32]owner{}
	for rows.Next() {
		var page uint32
		var o owner
		if err := rows.Scan(&page, &o.name, &o.kind); err != nil {
			return nil, err
		}
		owners[page] = o
	}
	return owners, rows.Err()
}
