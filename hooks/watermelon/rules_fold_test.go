package watermelon

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func authAs(role string) *core.Record {
	users := core.NewAuthCollection("users")
	users.Fields.Add(&core.TextField{Name: "role"})
	r := core.NewRecord(users)
	r.Id = "user00000000001"
	r.Set("role", role)
	return r
}

// The list rule of schedules and commute_logs, as migration 1764057600 writes it.
const tripRule = `((@request.auth.id != "" && engineer.user = @request.auth.id)) || @request.auth.role = "admin" || ` +
	`(@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`

func TestARuleIsFoldedForItsCaller(t *testing.T) {
	for _, c := range []struct {
		rule, role, want string
		known, allowed   bool
	}{
		{tripRule, "engineer", "((engineer.user = @request.auth.id))", false, false},
		{tripRule, "coordinator", "((engineer.user = @request.auth.id)) || (engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)", false, false},
		{tripRule, "admin", "", true, true},
		// && binds tighter than ||, as PocketBase writes the rule into SQL
		{`@request.auth.role = "x" || a = 1 && @request.auth.role = "y"`, "x", "", true, true},
		{`@request.auth.role = "x" || a = 1 && @request.auth.role = "y"`, "z", "", true, false},
		{`a = 1 && @request.auth.role = "y" || b = 2`, "y", "a = 1 || b = 2", false, false},
		{`@request.auth.role != "officer" && a = "q\"uote"`, "admin", `a = "q\"uote"`, false, false},
		// not decided here: other operators, other types, fields the caller's record lacks
		{`@request.auth.role ~ "adm" || @request.auth.verified = true`, "admin", `@request.auth.role ~ "adm" || @request.auth.verified = true`, false, false},
		{`@request.auth.missing = "x"`, "admin", `@request.auth.missing = "x"`, false, false},
	} {
		got, known, allowed := foldRule(c.rule, authAs(c.role))
		if got != c.want || known != c.known || allowed != c.allowed {
			t.Errorf("%s as %s: %q %v %v; want %q %v %v", c.rule, c.role, got, known, allowed, c.want, c.known, c.allowed)
		}
	}
	// What it cannot write back it leaves whole.
	for _, rule := range []string{`strftime("%Y", created) = "2026" || @request.auth.role = "admin"`, `a = "back\\slash"`, `a = `} {
		if got, known, _ := foldRule(rule, authAs("engineer")); got != rule || known {
			t.Errorf("%s: folded to %q (known %v), want it whole", rule, got, known)
		}
	}
}

func TestARuleReadsTheColumnsItNames(t *testing.T) {
	trips := core.NewBaseCollection("commute_logs")
	trips.Fields.Add(&core.RelationField{Name: "engineer", MaxSelect: 1}, &core.TextField{Name: "note"})
	for rule, want := range map[string]string{
		`engineer.user = @request.auth.id`:                                   "[[engineer]],[[id]]",
		`note ~ "x" && @request.auth.role = "admin"`:                         "[[id]],[[note]]",
		`cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id`: "[[id]]",
		`unknown_field = 1`:                                                  "*",
		``:                                                                   "*",
	} {
		if got := selectList(ruleColumns(trips, rule)); got != want {
			t.Errorf("%q: %s, want %s", rule, got, want)
		}
	}
}
