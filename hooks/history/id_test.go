package history

import (
	"regexp"
	"slices"
	"testing"
)

func TestIDsAscendInTheOrderTheyAreMade(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-z]{15}$`)
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = newID()
		if !form.MatchString(ids[i]) {
			t.Fatalf("id %q is not 15 characters of PocketBase's id alphabet", ids[i])
		}
	}
	if !slices.IsSorted(ids) {
		t.Fatal("ids made one after another do not ascend")
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Fatal("two ids are the same")
	}
}
