// Package syncbench measures the WatermelonDB sync of hooks/watermelon over real loopback HTTP
// next to raw SQLite and to PocketBase's own batch API doing the same rows in the same run, on
// data shaped like users' (many engineers, records logged forward in time). It holds only
// benchmarks, which run with -bench and never in a plain `go test ./...`; BENCHMARKS.md at the
// repository root has the command, the figures and where the time goes.
package syncbench
