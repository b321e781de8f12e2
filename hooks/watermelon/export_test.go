package watermelon

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
)

// SetSchemaVersion lets tests pretend the server has moved to a newer schema version.
func SetSchemaVersion(v int) (restore func()) {
	old := schemaVersion
	schemaVersion = v
	return func() { schemaVersion = old }
}

// BetweenRefreshSteps makes fn run between the two steps of the next reach refresh only.
func BetweenRefreshSteps(fn func(app core.App)) (restore func()) {
	betweenSteps = func(app core.App) {
		betweenSteps = nil
		fn(app)
	}
	return func() { betweenSteps = nil }
}

// ReachChangesBothWays judges table's rows changed after since for auth from the changed rows
// and, when the rule allows it, from the user's side; ok is false when it does not.
func ReachChangesBothWays(app core.App, auth *core.Record, table string, since int64) (fromChanges, fromUser [2][]string, ok bool, err error) {
	s, err := loadSchema(app)
	if err != nil {
		return fromChanges, fromUser, false, err
	}
	t := s.table(table)
	info := requestInfo(auth, "GET", nil)
	g, l, err := reachChangesFrom(app, info, reachKey(auth), t, since, false)
	if err != nil {
		return fromChanges, fromUser, false, err
	}
	fromChanges = [2][]string{g, l}
	rule, _ := listRule(info, t.collection)
	if _, ok = anchorsOf(app, t.collection, rule); !ok {
		return fromChanges, fromUser, false, nil
	}
	g, l, err = reachChangesFrom(app, info, reachKey(auth), t, since, true)
	return fromChanges, [2][]string{g, l}, true, err
}

// SetWholeChunk makes a first pull write its reach n changes at a time.
func SetWholeChunk(n int) (restore func()) {
	old := wholeChunk
	wholeChunk = n
	return func() { wholeChunk = old }
}

// JudgeUpdatesOneByOne makes pushes judge every edit by itself, with CanAccessRecord, as the
// REST API judges a PATCH.
func JudgeUpdatesOneByOne() (restore func()) {
	updatesTogether = false
	return func() { updatesTogether = true }
}

// WholeReachBothWays brings auth's whole reach up to date from what is stored now in two ways
// and returns the reach each leaves (a "table id in_reach" line a row): first by judging every
// row in Go and writing the verdicts (judge and write, rolled back after reading), then by
// wholeReach, which is kept.
func WholeReachBothWays(app core.App, auth *core.Record) (judged, whole []string, err error) {
	s, err := loadSchema(app)
	if err != nil {
		return nil, nil, err
	}
	info, user := requestInfo(auth, "GET", nil), reachKey(auth)
	rows := func(db core.App) ([]string, error) {
		var out []string
		err := db.DB().NewQuery(`SELECT tbl || ' ' || record_id || ' ' || in_reach FROM _sync_reach
			WHERE user_id = {:user} ORDER BY tbl, record_id`).Bind(map[string]any{"user": user}).Column(&out)
		return out, err
	}
	undo := errors.New("rolled back")
	err = app.RunInTransaction(func(tx core.App) error {
		verdicts, err := judge(tx, info, s, user, -1)
		if err != nil {
			return err
		}
		st, err := stampPull(tx)
		if err != nil {
			return err
		}
		if err := write(tx, user, verdicts, st.Seq); err != nil {
			return err
		}
		if judged, err = rows(tx); err != nil {
			return err
		}
		return undo
	})
	if !errors.Is(err, undo) {
		return nil, nil, err
	}
	if err := wholeReach(app, info, s, user); err != nil {
		return nil, nil, err
	}
	whole, err = rows(app)
	return judged, whole, err
}
