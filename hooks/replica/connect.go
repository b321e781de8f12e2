package replica

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/sqlcache"
	"feidi/hooks/settings"
)

// DBConnect is PocketBase's database opener: sqlcache.Connect (PocketBase's own settings, each
// connection keeping its compiled statements) when r is nil, and for a replicated server the same
// driver with its writer's transactions begun IMMEDIATE. Litestream is a second writer of data.db: around its checkpoints it holds the write
// lock and bumps its own table. A PocketBase transaction begun DEFERRED that has read and then
// tries to write meets that writer with SQLITE_BUSY at once (SQLite calls no busy handler for a
// read transaction's upgrade), and the write fails. So PocketBase's writer — the pool of one
// connection that RunInTransaction uses — begins its transactions IMMEDIATE and waits its turn
// (busy_timeout) instead; the pool of readers stays DEFERRED, so a long read (an export) never
// holds the write lock.
func DBConnect(r *settings.Replica) core.DBConnectFunc {
	if r == nil {
		return sqlcache.Connect
	}
	return func(dbPath string) (*dbx.DB, error) {
		dsn := dbPath + "?" + sqlcache.Pragmas
		c := &connector{deferred: dsn, immediate: dsn + "&_txlock=immediate"}
		db := sql.OpenDB(c)
		c.db.Store(db)
		return dbx.NewFromDB(db, "sqlite"), nil
	}
}

// connector opens a connection IMMEDIATE when its pool holds one connection at most (PocketBase's
// writer: it sets that limit right after opening, before any connection is made).
type connector struct {
	deferred, immediate string
	db                  atomic.Pointer[sql.DB]
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dsn := c.deferred
	if db := c.db.Load(); db != nil && db.Stats().MaxOpenConnections == 1 {
		dsn = c.immediate
	}
	return sqlcache.Driver().Open(dsn)
}

func (c *connector) Driver() driver.Driver { return sqlcache.Driver() }
