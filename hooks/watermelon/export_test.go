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
