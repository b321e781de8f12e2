package watermelon

import "github.com/pocketbase/pocketbase/core"

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
