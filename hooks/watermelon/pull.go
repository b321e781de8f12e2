package watermelon

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// migration is the `migration` parameter of a pull: the device's schema moved from version
// From to the requested schema_version and needs whole rows of what was added since. Its shape
// is WatermelonDB's (getSyncChanges in @nozbe/watermelondb/Schema/migrations): the added columns
// grouped by table, {"table": "surveys", "columns": ["review_note"]}. Until schema version 4 this
// server documented one column per entry, {"table", "column"}; that form is still read.
type migration struct {
	From    int      `json:"from"`
	Tables  []string `json:"tables"`
	Columns []struct {
		Table   string   `json:"table"`
		Columns []string `json:"columns"`
		Column  string   `json:"column"`
	} `json:"columns"`
}

// pullRequest is a validated pull.
type pullRequest struct {
	lastPulledAt int64             // 0 on the first sync
	whole        map[string]string // table → bucket ("created"/"updated") that gets all its rows
}

func parsePull(e *core.RequestEvent, s *appSchema) (*pullRequest, error) {
	q := e.Request.URL.Query()
	errs := validation.Errors{}
	p := &pullRequest{whole: map[string]string{}}
	if raw := q.Get("last_pulled_at"); raw != "" && raw != "null" && raw != "undefined" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 || !digits(raw) {
			errs["last_pulled_at"] = validation.NewError("sync_bad_last_pulled_at", "last_pulled_at must be the timestamp of the previous pull (a whole number), or absent on the first sync.")
		}
		p.lastPulledAt = n
	}
	version := schemaVersion
	if raw := q.Get("schema_version"); raw != "" {
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil || n < 1 || !digits(raw):
			errs["schema_version"] = validation.NewError("sync_bad_schema_version", "schema_version must be a whole number from 1.")
		case n > schemaVersion:
			errs["schema_version"] = validation.NewError("sync_schema_too_new",
				fmt.Sprintf("This server syncs schema version %d; the app asks for %d. Update the server before the app.", schemaVersion, n))
		}
		version = n
	}
	if raw := q.Get("migration"); raw != "" && raw != "null" {
		var m migration
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			errs["migration"] = validation.NewError("sync_bad_migration", `migration must be JSON: {"from": N, "tables": [...], "columns": [{"table", "column"}]}.`)
		} else if m.From < 1 || m.From >= version {
			errs["migration"] = validation.NewError("sync_bad_migration", fmt.Sprintf("migration.from must be from 1 to %d.", version-1))
		} else {
			for _, name := range m.Tables {
				if s.table(name) == nil {
					errs["migration"] = validation.NewError("sync_unknown_table", "migration names unknown table "+strconv.Quote(name)+".")
				}
				p.whole[name] = "created"
			}
			for _, c := range m.Columns {
				names := c.Columns
				if c.Column != "" {
					names = append(names, c.Column)
				}
				for _, name := range names {
					t := s.table(c.Table)
					if t == nil || t.byName[name] == nil {
						errs["migration"] = validation.NewError("sync_unknown_column", "migration names unknown column "+strconv.Quote(c.Table+"."+name)+".")
						continue
					}
					if p.whole[c.Table] == "" {
						p.whole[c.Table] = "updated"
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, e.BadRequestError("Invalid sync pull.", errs)
	}
	return p, nil
}

// digits says whether s is written in decimal digits only, as the server writes its timestamps:
// strconv reads "+5" and "-0" too.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// pull answers GET /api/sync/pull. The answer is streamed table by table straight from SQLite,
// so a first sync of many thousand records needs no more memory than a page of them.
func pull(e *core.RequestEvent) error {
	s, err := loadSchema(e.App)
	if err != nil {
		return err
	}
	p, err := parsePull(e, s)
	if err != nil {
		return err
	}
	st, err := readSyncState(e.App.DB())
	if err != nil {
		return err
	}
	// A device that has been away longer than tombstones are kept, or whose timestamp this
	// server never gave out, is sent everything it may see, and told to drop the rest.
	replacement := p.lastPulledAt > 0 && !st.knows(p.lastPulledAt)
	if replacement {
		p.lastPulledAt = 0
	}
	seq, err := refreshReach(e.App, s, e.Auth)
	if err != nil {
		return err
	}
	user := reachKey(e.Auth)
	// Which tables had a row written since the device's last pull, and for which of them the
	// updated bucket is best read from the user's reach rather than from the changed rows.
	changed, err := changedTables(e.App, s, p.lastPulledAt)
	if err != nil {
		return err
	}
	reachFirst := map[string]bool{}
	for name := range changed {
		if t := s.table(name); t != nil && p.lastPulledAt > 0 {
			if reachFirst[name], err = fromUsersSide(e.App, user, t, p.lastPulledAt); err != nil {
				return err
			}
		}
	}

	w := bufio.NewWriterSize(e.Response, 64<<10)
	e.Response.Header().Set("Content-Type", "application/json")
	e.Response.WriteHeader(http.StatusOK)
	buf := make([]byte, 0, 4096)
	buf = append(buf, `{"changes":{`...)
	for i, t := range s.Tables {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, t.Name)
		buf = append(buf, `:{`...)
		for j, bucket := range []string{"created", "updated"} {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '"')
			buf = append(buf, bucket...)
			buf = append(buf, `":[`...)
			filter := rowsFilter(p, replacement, t.Name, bucket)
			if filter == updatedSince && !changed[t.Name] {
				filter = "FALSE" // nothing of the table was written since the last pull
			}
			if filter == "TRUE" && p.whole[t.Name] == "" {
				// everything the user may list: read in the table's order, judged by the rule
				// as the reach was, rather than looked up record by record from the reach
				buf, err = streamVisible(e.App, w, buf, t, e.Auth, seq)
			} else {
				buf, err = streamRows(e.App, w, buf, t, filter, user, p.lastPulledAt, seq, reachFirst[t.Name])
			}
			if err != nil {
				return abort(err)
			}
			buf = append(buf, ']')
		}
		buf = append(buf, `,"deleted":[`...)
		if !replacement && p.lastPulledAt > 0 { // a first pull has nothing to delete
			var ids []string
			err := e.App.DB().Select("record_id").From("_sync_reach").
				Where(dbx.HashExp{"user_id": user, "tbl": t.Name, "in_reach": 0}).
				AndWhere(dbx.NewExp("seq > {:last} AND seq <= {:seq}", dbx.Params{"last": p.lastPulledAt, "seq": seq})).
				Column(&ids)
			if err != nil {
				return abort(err)
			}
			for k, id := range ids {
				if k > 0 {
					buf = append(buf, ',')
				}
				buf = appendString(buf, id)
			}
		}
		buf = append(buf, `]}`...)
	}
	buf = append(buf, `},"timestamp":`...)
	buf = strconv.AppendInt(buf, seq, 10)
	if replacement {
		buf = append(buf, `,"experimentalStrategy":"replacement"`...)
	}
	buf = append(buf, "}\n"...)
	if _, err := w.Write(buf); err != nil {
		return abort(err)
	}
	return abort(w.Flush())
}

// rowsFilter picks a bucket's rows among those in the caller's reach and stamped no later than
// this pull's sequence number (anything later is sent next time). New to the device — in reach
// since after its last pull, and not pushed by this very device — is created; changed since
// its last pull is updated.
func rowsFilter(p *pullRequest, replacement bool, table, bucket string) string {
	if replacement { // everything in reach, once, in updated
		if bucket == "updated" {
			return "TRUE"
		}
		return "FALSE"
	}
	if whole := p.whole[table]; whole != "" {
		if bucket == whole {
			return "TRUE"
		}
		return "FALSE"
	}
	if p.lastPulledAt == 0 { // a first pull: every record it gets is created, none updated
		if bucket == "created" {
			return "TRUE"
		}
		return "FALSE"
	}
	if bucket == "created" {
		return "r.seq > {:last} AND r.pushed_at IS NOT {:last}"
	}
	return updatedSince
}

// updatedSince is the incremental updated bucket: records changed since the last pull that
// were in reach before it. It is read from the table's sync_seq index outward (rows changed
// since the pull, each looked up in the reach), so it costs what changed, not the reach — or
// from the user's reach when that is the smaller; every other bucket is read from the user's
// reach rows.
const updatedSince = "(r.seq <= {:last} OR r.pushed_at = {:last}) AND t.sync_seq > {:last}"

// streamRows writes the raws of one bucket, flushing buf to w as it fills. The updated bucket
// is read from the table's changed rows outward, or, when reachFirst, from the user's reach.
func streamRows(app core.App, w *bufio.Writer, buf []byte, t *table, filter, user string, last, seq int64, reachFirst bool) ([]byte, error) {
	if filter == "FALSE" {
		return buf, nil
	}
	// CROSS JOIN fixes SQLite's loop order: the left side is the outer loop.
	from := `{{` + t.Name + `}} t CROSS JOIN _sync_reach r ON r.user_id = {:user} AND r.tbl = {:tbl} AND r.record_id = t.id`
	if filter != updatedSince || reachFirst {
		from = `_sync_reach r CROSS JOIN {{` + t.Name + `}} t ON r.user_id = {:user} AND r.tbl = {:tbl} AND r.record_id = t.id`
	}
	q := app.DB().NewQuery(`SELECT ` + strings.Join(selectRaws(t), ",") + ` FROM ` + from + `
		WHERE r.in_reach = 1 AND t.sync_seq <= {:seq} AND ` + filter).
		Bind(dbx.Params{"user": user, "tbl": t.Name, "last": last, "seq": seq})
	return writeRaws(w, buf, t, q)
}

// streamVisible writes every record of t that the caller may list and that is stamped no later
// than seq: a first pull, or a replacement. The reach was brought up to date with the same rule
// just before; a record whose visibility changed since is judged again by the next pull.
func streamVisible(app core.App, w *bufio.Writer, buf []byte, t *table, auth *core.Record, seq int64) ([]byte, error) {
	info := requestInfo(auth, "GET", nil)
	rule, none := listRule(info, t.collection)
	if none {
		return buf, nil
	}
	where, params := "TRUE", dbx.Params{}
	if rule != "" {
		vq, err := visibleQuery(app, info, t.collection, rule, "", -1, false)
		if err != nil {
			return buf, err
		}
		built := vq.Build()
		where, params = "t.id IN ("+built.SQL()+")", built.Params()
	}
	params["seq"] = seq
	q := app.DB().NewQuery(`SELECT ` + strings.Join(selectRaws(t), ",") + ` FROM {{` + t.Name + `}} t
		WHERE t.sync_seq <= {:seq} AND ` + where).Bind(params)
	return writeRaws(w, buf, t, q)
}

// selectRaws is the select list of a table's raws: id, then the synced columns.
func selectRaws(t *table) []string {
	cols := make([]string, 0, len(t.Columns)+1)
	cols = append(cols, "t.[[id]]")
	for _, c := range t.Columns {
		cols = append(cols, "t.[["+c.Name+"]]")
	}
	return cols
}

// writeRaws writes the rows of q as WatermelonDB raws, flushing buf to w as it fills.
func writeRaws(w *bufio.Writer, buf []byte, t *table, q *dbx.Query) ([]byte, error) {
	rows, err := q.Rows()
	if err != nil {
		return buf, err
	}
	defer rows.Close()
	values := make([]any, len(t.Columns)+1)
	ptrs := make([]any, len(values))
	for i := range values {
		ptrs[i] = &values[i]
	}
	first := true
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return buf, err
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, `{"id":`...)
		buf = appendString(buf, text(values[0]))
		for i := range t.Columns {
			c := &t.Columns[i]
			buf = append(buf, ',')
			buf = appendString(buf, c.Name)
			buf = append(buf, ':')
			buf = c.appendValue(buf, values[i+1])
		}
		buf = append(buf, '}')
		if len(buf) > 32<<10 {
			if _, err := w.Write(buf); err != nil {
				return buf, err
			}
			buf = buf[:0]
		}
	}
	return buf, rows.Err()
}

// abort reports a failure after the status line went out. Whatever PocketBase then appends
// cannot make the half-written answer parse, so a device never applies a partial pull.
func abort(err error) error { return err }
