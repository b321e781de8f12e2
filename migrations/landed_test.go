package migrations

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLandedMigrationsAreFrozen fails when the text of a landed migration (or of fields.go, whose
// helpers they call) changes, or when a migration is not listed: a data dir that ran the old text
// would never run the new one. Change the schema with a new migration instead.
func TestLandedMigrationsAreFrozen(t *testing.T) {
	f, err := os.Open("landed.sha256")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		sum, path, ok := strings.Cut(lines.Text(), "  ")
		if !ok {
			t.Fatalf("landed.sha256: %q is not a line of sha256sum", lines.Text())
		}
		listed[filepath.Base(path)] = sum
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(text)
		want, ok := listed[name]
		delete(listed, name)
		switch {
		case !ok:
			t.Errorf("%s is not in migrations/landed.sha256. Once it is final, add it:\n\tsha256sum migrations/%s >> migrations/landed.sha256", name, name)
		case hex.EncodeToString(sum[:]) != want:
			t.Errorf("%s has changed since it landed; a data dir that ran it will never run the change. "+
				"Undo the edit (git checkout -- migrations/%s) and write the change as a new migration.", name, name)
		}
	}
	for name := range listed {
		t.Errorf("landed.sha256 lists %s, which is gone: a landed migration is never removed", name)
	}
}
