package watermelon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/history"
)

// MaxPushBytes is the largest push body accepted; a device with more to send splits it.
const MaxPushBytes = 16 << 20

// MaxPushRecords is the most records (created, updated and deleted) one push may carry: what
// a push may cost the database's one writer is bounded, whatever the records weigh. A month
// offline is far fewer for an officer or an engineer.
const MaxPushRecords = 10_000

type tableChanges struct {
	Created []map[string]any `json:"created"`
	Updated []map[string]any `json:"updated"`
	Deleted []any            `json:"deleted"`
}

type pushBody struct {
	Changes      map[string]tableChanges `json:"changes"`
	LastPulledAt *json.Number            `json:"lastPulledAt"`
}

// change is one pushed record, checked for shape and converted to field values.
type change struct {
	table  *table
	id     string
	delete bool
	values map[string]any // field → value, for upserts
	raw    map[string]any // as pushed, for sync_rejects
}

// pushRun is one push being applied in its transaction: who pushes, as of which pull, what,
// and what became of each record.
type pushRun struct {
	tx      core.App
	auth    *core.Record
	last    int64 // the device's last pull
	changes []change

	stored    map[string]map[string]int64 // table → id → sync_seq of the records that exist
	unchanged map[string]map[string]bool  // records the pusher sees already holding the pushed values
	rejected  map[string][]string         // table → ids refused, for the answer
	seen      map[string]bool             // reference verdicts, shared by the push's records

	savepoints *savepoints // prepared for the push's transaction
}

// conflictError is a push that touches records changed on the server since the device's last
// pull; nothing of the push is written.
type conflictError map[string][]string

func (c conflictError) Error() string { return "sync conflict" }

// push answers POST /api/sync/push.
func push(e *core.RequestEvent) error {
	s, err := loadSchema(e.App)
	if err != nil {
		return err
	}
	last, changes, err := decodePush(e, s)
	if err != nil {
		return err
	}

	run := &pushRun{auth: e.Auth, last: last, changes: changes}
	err = e.App.RunInTransaction(func(tx core.App) error {
		run.tx = tx
		defer history.Attribute(tx, history.By(e.Auth, history.DoorSync))() // the push's writes are the pusher's, door sync
		if err := run.findConflicts(); err != nil {
			return err
		}
		return run.apply()
	})
	var conflict conflictError
	if errors.As(err, &conflict) {
		return e.JSON(http.StatusConflict, map[string]any{
			"status":    http.StatusConflict,
			"message":   "Some pushed records changed on the server after your last pull: pull, then push again.",
			"conflicts": conflict,
		})
	}
	if err != nil {
		return err
	}
	if len(run.rejected) == 0 {
		return e.JSON(http.StatusOK, map[string]any{})
	}
	return e.JSON(http.StatusOK, map[string]any{"experimentalRejectedIds": run.rejected})
}

// decodePush reads a push body: the JSON WatermelonDB sends, the timestamp of the pull before
// it, and every record checked for shape and converted to field values. Its errors are the
// answers to send (4xx).
func decodePush(e *core.RequestEvent, s *appSchema) (int64, []change, error) {
	var body pushBody
	dec := json.NewDecoder(http.MaxBytesReader(e.Response, e.Request.Body, MaxPushBytes))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, e.Error(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("A push may carry at most %d MiB; split it into several.", MaxPushBytes>>20), nil)
		}
		return 0, nil, e.BadRequestError("The push body is not the JSON WatermelonDB sends: {\"changes\": {...}, \"lastPulledAt\": N}.",
			validation.Errors{"body": validation.NewError("sync_bad_json", err.Error())})
	}
	if _, err := dec.Token(); err != io.EOF {
		return 0, nil, e.BadRequestError("The push body has more after its JSON object.", nil)
	}
	last, err := lastPulledAt(e, body.LastPulledAt)
	if err != nil {
		return 0, nil, err
	}
	changes, err := parseChanges(e, s, body.Changes)
	if err != nil {
		return 0, nil, err
	}
	return last, changes, nil
}

func lastPulledAt(e *core.RequestEvent, fromBody *json.Number) (int64, error) {
	raw := e.Request.URL.Query().Get("last_pulled_at")
	if raw == "" && fromBody != nil {
		raw = fromBody.String()
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 || !digits(raw) {
		return 0, e.BadRequestError("A push needs the timestamp of the pull before it.", validation.Errors{
			"last_pulled_at": validation.NewError("sync_bad_last_pulled_at", "last_pulled_at must be the timestamp the last pull returned.")})
	}
	return n, nil
}

// parseChanges checks the shape of every pushed record before anything is written: known
// tables and columns, ids of the right form, values of the column's type. WatermelonDB sends
// every table of the app, most with nothing in them, and its bookkeeping columns on each raw:
// those are fine. Empty change sets of tables the server does not sync (an app's local-only
// tables) are ignored; records in them are refused, since they would be lost.
func parseChanges(e *core.RequestEvent, s *appSchema, in map[string]tableChanges) ([]change, error) {
	count := 0
	for _, tc := range in {
		count += len(tc.Created) + len(tc.Updated) + len(tc.Deleted)
	}
	if count > MaxPushRecords {
		return nil, e.Error(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("A push may carry at most %d records; this one has %d. Split it into several.", MaxPushRecords, count),
			validation.Errors{"changes": validation.NewError("sync_too_many_records",
				fmt.Sprintf("At most %d records a push.", MaxPushRecords))})
	}
	errs := validation.Errors{}
	var out []change
	seen := map[string]bool{}
	for name, tc := range in {
		t := s.table(name)
		if t == nil {
			if len(tc.Created)+len(tc.Updated)+len(tc.Deleted) > 0 {
				errs[name] = validation.NewError("sync_unknown_table", "This server does not sync table "+strconv.Quote(name)+".")
			}
			continue
		}
		for bucket, raws := range map[string][]map[string]any{"created": tc.Created, "updated": tc.Updated} {
			for i, raw := range raws {
				where := fmt.Sprintf("%s.%s.%d", name, bucket, i)
				c, column, err := parseRaw(t, raw)
				if err != nil {
					if column != "" {
						where += "." + column
					}
					errs[where] = err
					continue
				}
				if seen[name+"/"+c.id] {
					errs[where] = validation.NewError("sync_duplicate_id", "Record "+c.id+" appears twice in this push.")
					continue
				}
				seen[name+"/"+c.id] = true
				out = append(out, c)
			}
		}
		for i, v := range tc.Deleted {
			id, ok := v.(string)
			if !ok || !idPattern.MatchString(id) {
				errs[fmt.Sprintf("%s.deleted.%d", name, i)] = validation.NewError("sync_bad_id",
					"A record id is 16 characters of 0-9a-zA-Z or a UUID.")
				continue
			}
			if seen[name+"/"+id] {
				errs[fmt.Sprintf("%s.deleted.%d", name, i)] = validation.NewError("sync_duplicate_id", "Record "+id+" appears twice in this push.")
				continue
			}
			seen[name+"/"+id] = true
			out = append(out, change{table: t, id: id, delete: true, raw: map[string]any{"id": id}})
		}
	}
	if len(errs) > 0 {
		return nil, e.BadRequestError("The push has records this server cannot read; nothing was written.", errs)
	}
	order := func(c change) int { return slices.Index(Tables, c.table.Name) }
	// Upserts parents first, deletions children first; ids keep a fixed order within a table.
	slices.SortStableFunc(out, func(a, b change) int {
		if a.delete != b.delete {
			if a.delete {
				return 1
			}
			return -1
		}
		if oa, ob := order(a), order(b); oa != ob {
			if a.delete {
				return ob - oa
			}
			return oa - ob
		}
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return out, nil
}

// parseRaw checks one pushed raw; on failure it names the column at fault, if one is.
func parseRaw(t *table, raw map[string]any) (change, string, error) {
	id, _ := raw["id"].(string)
	if !idPattern.MatchString(id) {
		return change{}, "id", validation.NewError("sync_bad_id", "A record id is 16 characters of 0-9a-zA-Z or a UUID.")
	}
	c := change{table: t, id: id, raw: raw, values: map[string]any{}}
	for name, v := range raw {
		if name == "id" || bookkeeping[name] {
			continue
		}
		col := t.byName[name]
		if col == nil {
			return change{}, name, validation.NewError("sync_unknown_column", "Table "+t.Name+" has no column "+strconv.Quote(name)+".")
		}
		if col.readOnly {
			continue
		}
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			if err != nil {
				return change{}, name, validation.NewError("sync_bad_value", "Not a number.")
			}
			v = f
		}
		val, err := col.decode(v)
		if err != nil {
			return change{}, name, validation.NewError("sync_bad_value", "The value "+err.Error()+".")
		}
		c.values[name] = val
	}
	return c, "", nil
}
