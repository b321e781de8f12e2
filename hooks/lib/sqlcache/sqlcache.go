// Package sqlcache is PocketBase's SQLite driver (modernc.org/sqlite) with two additions: each
// connection keeps the statements it has compiled lately (the last MaxStatements), so a statement
// run again is not parsed and planned again; and the process keeps JournalPages pages of SQLite's
// in-memory journal mapped (journal.go), so a savepoint does not map and unmap memory of its own.
//
// dbx and PocketBase hand the driver SQL text for every query, and the driver compiles it every
// time. A sync push of 1,000 records runs the same dozen statements (the record's INSERT with its
// triggers, the validators' lookups, the overlap and lock checks, the history row) a thousand
// times each: compiling them was a quarter of its CPU. A kept statement is reset after each use,
// so it holds no lock and no snapshot; SQLite itself recompiles one when the schema changes under
// it.
package sqlcache

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	_ "modernc.org/sqlite" // the driver this one wraps
)

// DriverName is the name this driver is registered under with database/sql (and dbx, as SQLite).
const DriverName = "sqlite_stmtcache"

// MaxStatements is the most statements a connection keeps; past it the least recently used goes
// (queries that carry their values in their text, IN lists of ids, pass through).
const MaxStatements = 64

// pragmas are PocketBase's own, from core.DefaultDBConnect.
// Pragmas are PocketBase's connection settings (core.DefaultDBConnect), as a data source name's
// query: a path, "?", then these.
const Pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"

// cached is the driver, registered as DriverName.
var cached = &drv{}

func init() {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	cached.inner = db.Driver()
	_ = db.Close()
	sql.Register(DriverName, cached)
	dbx.BuilderFuncMap[DriverName] = dbx.NewSqliteBuilder
}

// Driver is this package's driver, for a connector of one's own (hooks/replica opens the writer's
// connections with other options).
func Driver() driver.Driver { return cached }

// Connect opens a database as core.DefaultDBConnect does, through this driver: PocketBase's
// DBConnect.
func Connect(dbPath string) (*dbx.DB, error) {
	return dbx.Open(DriverName, dbPath+"?"+Pragmas)
}

var _ core.DBConnectFunc = Connect

type drv struct{ inner driver.Driver }

func (d *drv) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return newConn(c)
}

// innerConn is what modernc's connection offers and this one uses.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func newConn(c driver.Conn) (driver.Conn, error) {
	ic, ok := c.(innerConn)
	if !ok {
		c.Close()
		return nil, errors.New("sqlcache: the sqlite driver's connection lacks an interface this driver needs")
	}
	return &conn{inner: ic, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// conn is one SQLite connection and the statements it keeps. database/sql uses a connection from
// one goroutine at a time.
type conn struct {
	inner   innerConn
	byQuery map[string]*list.Element // of *kept, most recently used at the front of lru
	lru     *list.List
}

// kept is a compiled statement; busy while rows read from it are open.
type kept struct {
	query string
	stmt  driver.Stmt
	busy  bool
	gone  bool // dropped from the cache while busy: closed when its rows are
}

func (c *conn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

func (c *conn) Close() error {
	c.forget()
	return c.inner.Close()
}

// Begin is the deprecated form database/sql no longer calls when BeginTx exists.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

func (c *conn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *conn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *conn) IsValid() bool                          { return c.inner.IsValid() }

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	k, err := c.statement(ctx, query)
	if err != nil || k == nil {
		if err != nil {
			return nil, err
		}
		return c.inner.ExecContext(ctx, query, args)
	}
	return k.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	k, err := c.statement(ctx, query)
	if err != nil || k == nil {
		if err != nil {
			return nil, err
		}
		return c.inner.QueryContext(ctx, query, args)
	}
	r, err := k.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	k.busy = true
	return &rows{inner: r, k: k}, nil
}

// statement returns the connection's compiled statement for query, compiling it the first
// time; nil when the kept one is still being read (a query run again inside its own loop).
func (c *conn) statement(ctx context.Context, query string) (*kept, error) {
	if e, ok := c.byQuery[query]; ok {
		k := e.Value.(*kept)
		if k.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return k, nil
	}
	s, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	_, execs := s.(driver.StmtExecContext)
	_, queries := s.(driver.StmtQueryContext)
	if !execs || !queries {
		s.Close()
		return nil, nil
	}
	k := &kept{query: query, stmt: s}
	c.byQuery[query] = c.lru.PushFront(k)
	for c.lru.Len() > MaxStatements {
		c.drop(c.lru.Back())
	}
	return k, nil
}

// drop takes a statement out of the cache and closes it, or has its rows close it.
func (c *conn) drop(e *list.Element) {
	k := c.lru.Remove(e).(*kept)
	delete(c.byQuery, k.query)
	if k.busy {
		k.gone = true
		return
	}
	k.stmt.Close()
}

// forget drops every kept statement: the connection closes.
func (c *conn) forget() {
	for c.lru.Len() > 0 {
		c.drop(c.lru.Front())
	}
}

// rows reads a kept statement's results; closing them lets the statement be run again.
type rows struct {
	inner  driver.Rows
	k      *kept
	closed bool
}

func (r *rows) Columns() []string              { return r.inner.Columns() }
func (r *rows) Next(dest []driver.Value) error { return r.inner.Next(dest) }

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.inner.Close() // resets the statement, keeping it compiled
	r.k.busy = false
	if r.k.gone {
		if cerr := r.k.stmt.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// The column type methods database/sql asks the driver's rows for (Rows.ColumnTypes).

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.inner.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.inner.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *rows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.inner.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *rows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.inner.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.inner.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// Query is app.DB().NewQuery(sql), kept for the rest of app's transaction when app is one (the
// caller binds every parameter each time). dbx rewrites a query's SQL — its placeholders and
// quoted names — with regular expressions whenever one is made, which for a short statement run
// for every record of a push costs about what running it does.
func Query(app core.App, sql string) *dbx.Query {
	tx, ok := app.DB().(*dbx.Tx)
	info := app.TxInfo()
	if !ok || info == nil {
		return app.DB().NewQuery(sql)
	}
	kept, found := queries.Load(tx)
	if !found {
		kept = map[string]*dbx.Query{}
		queries.Store(tx, kept)
		info.OnComplete(func(error) error {
			queries.Delete(tx)
			return nil
		})
	}
	byText := kept.(map[string]*dbx.Query) // a transaction is used by one goroutine at a time
	q := byText[sql]
	if q == nil {
		q = tx.NewQuery(sql)
		byText[sql] = q
	}
	return q
}

// queries holds each open transaction's kept queries by their SQL.
var queries sync.Map // *dbx.Tx → map[string]*dbx.Query
