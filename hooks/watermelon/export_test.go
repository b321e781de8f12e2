package watermelon

// SetSchemaVersion lets tests pretend the server has moved to a newer schema version.
func SetSchemaVersion(v int) (restore func()) {
	old := schemaVersion
	schemaVersion = v
	return func() { schemaVersion = old }
}
