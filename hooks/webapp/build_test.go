package webapp_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestCommittedBuildIsTheSources rebuilds the app from src/ with the pinned esbuild and compares
// it, file by file, with what is committed under pb_public/ (which the binary embeds and serves).
func TestCommittedBuildIsTheSources(t *testing.T) {
	nodePath := node(t)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodePath, "build.js", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node build.js: %v\n%s", err, b)
	}
	built, committed := listFiles(t, out), listFiles(t, filepath.Join("..", "..", "pb_public"))
	if !slices.Equal(built, committed) {
		t.Fatalf("pb_public/ holds %v, the source builds %v: run `node hooks/webapp/build.js` and commit pb_public/", committed, built)
	}
	for _, name := range built {
		a, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "pb_public", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("pb_public/%s differs from what hooks/webapp/src builds: run `node hooks/webapp/build.js` and commit pb_public/", name)
		}
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}
