// Package reference refuses a write that points at a record its writer may not see: a need
// tied to another officer's survey, a trip handed to somebody else's engineer record. It is
// one check for every door — REST and batch through the request hooks bound here, sync push
// by calling Check itself.
package reference

import (
	"net/http"
	"slices"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// exempt are relations whose target the writer names without seeing it, by design: a
// coordinator asks to enrol an engineer they cannot see until the engineer says yes.
var exempt = map[string]bool{"enrolment_requests.engineer": true}

// Register checks every create and update that comes through the REST API (batch included).
func Register(app core.App) {
	// Last of the request hooks: a collection's own checks answer first, in their words.
	app.OnRecordCreateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Priority: 99,
		Func: func(e *core.RecordRequestEvent) error {
			if err := Check(e.App, e.Auth, e.Record, nil); err != nil {
				return e.BadRequestError("Failed to create record.", err)
			}
			return e.Next()
		}})
	app.OnRecordUpdateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Priority: 99,
		Func: func(e *core.RecordRequestEvent) error {
			if err := Check(e.App, e.Auth, e.Record, nil); err != nil {
				return e.BadRequestError("Failed to update record.", err)
			}
			return e.Next()
		}})
}

// Check returns field errors for each relation of r that now names a record auth may not
// view (a missing record reads the same), or the record's own validation errors when it has
// those as well. Values r already held are not checked again.
// Superusers and the server itself (auth nil) see everything. seen, when not nil, remembers
// verdicts across the records of one request.
func Check(app core.App, auth *core.Record, r *core.Record, seen map[string]bool) error {
	if auth == nil || auth.IsSuperuser() {
		return nil
	}
	if seen == nil {
		seen = map[string]bool{}
	}
	errs := validation.Errors{}
	for _, f := range r.Collection().Fields {
		rel, ok := f.(*core.RelationField)
		if !ok || exempt[r.Collection().Name+"."+rel.Name] {
			continue
		}
		var before []string
		if !r.IsNew() {
			before = r.Original().GetStringSlice(rel.Name)
		}
		for _, id := range r.GetStringSlice(rel.Name) {
			if slices.Contains(before, id) {
				continue
			}
			visible, err := canView(app, auth, rel.CollectionId, id, seen)
			if err != nil {
				return err
			}
			if !visible {
				errs[rel.Name] = validation.NewError("relation_not_visible", "There is no record "+id+" that you may see.")
				break
			}
		}
	}
	if len(errs) > 0 {
		// A record that fails its own checks too is answered with those, which say more
		// (an unpublished form, say) than that its target is out of sight.
		if err := app.Validate(r); err != nil {
			return err
		}
		return errs
	}
	return nil
}

func canView(app core.App, auth *core.Record, collectionID, id string, seen map[string]bool) (bool, error) {
	key := collectionID + "/" + id
	if v, ok := seen[key]; ok {
		return v, nil
	}
	target, err := app.FindRecordById(collectionID, id)
	if err != nil {
		seen[key] = false
		return false, nil
	}
	info := &core.RequestInfo{Auth: auth, Method: http.MethodGet, Context: core.RequestInfoContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}, Body: map[string]any{}}
	ok, err := app.CanAccessRecord(target, info, target.Collection().ViewRule)
	if err != nil {
		return false, err
	}
	seen[key] = ok
	return ok, nil
}
