package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The challenge board (揭榜挂帅): an admin publishes an enterprise's need as a challenge;
// research teams of Chengdu institutions apply with proposals; an admin awards one; the awarded
// team records milestones; the dual-employed engineers working on it are linked to it.
//
// Research teams are organisations with members (research_teams.members), and their members
// are users of a new role, research. The role says what kind of user one is (a researcher sees
// the board and may apply); the team says on whose behalf: proposals, awards and past
// challenges belong to a team, not to one person, and several researchers share them.
//
// Who may do what is in the rules below; which status moves exist, and what each move needs,
// is in hooks/challenges, bound to every save. Every value is spelled out here, so this
// migration reads the same whatever later ones change.
func init() {
	tables := []string{"research_teams", "challenges", "proposals", "milestones", "challenge_engineers"}
	m.Register(func(app core.App) error {
		const (
			admin    = `@request.auth.role = "admin"`
			research = `@request.auth.role = "research"`
			signedIn = `@request.auth.id != ""`
		)
		// notSet is a rule part that lets a write through only if it leaves the fields alone.
		notSet := func(fields ...string) string {
			parts := make([]string, len(fields))
			for i, f := range fields {
				parts[i] = `@request.body.` + f + `:isset = false`
			}
			return strings.Join(parts, " && ")
		}
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.GetByName("role").(*core.SelectField).Values =
			[]string{"officer", "engineer", "coordinator", "admin", "research"}
		if err := app.Save(users); err != nil {
			return err
		}
		enterprises, err := app.FindCollectionByNameOrId("enterprises")
		if err != nil {
			return err
		}
		surveys, err := app.FindCollectionByNameOrId("surveys")
		if err != nil {
			return err
		}
		needs, err := app.FindCollectionByNameOrId("needs")
		if err != nil {
			return err
		}
		engineers, err := app.FindCollectionByNameOrId("engineers")
		if err != nil {
			return err
		}

		teams := newSyncedCollection("research_teams")
		teams.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 200},
			&core.TextField{Name: "institution", Required: true, Max: 200},
			&core.TextField{Name: "specialty", Max: 500},
			&core.TextField{Name: "description", Max: 5000},
			&core.RelationField{Name: "members", MaxSelect: 50, CollectionId: users.Id},
		)
		withTimestamps(teams)
		// A team's name and institution are what the board shows of an applicant.
		teams.ListRule = types.Pointer(signedIn)
		teams.ViewRule = teams.ListRule
		teams.CreateRule = types.Pointer(admin)
		teams.UpdateRule = types.Pointer(admin)
		teams.DeleteRule = types.Pointer(admin)
		if err := app.Save(teams); err != nil {
			return err
		}

		challenges := newSyncedCollection("challenges")
		challenges.Fields.Add(
			&core.TextField{Name: "title", Required: true, Max: 200},
			&core.TextField{Name: "problem", Required: true, Max: 10000},
			&core.TextField{Name: "solved_when", Max: 5000},
			&core.NumberField{Name: "budget_wan", Min: float(0), Max: float(10_000_000)},
			&core.BoolField{Name: "budget_private"},
			&core.DateField{Name: "deadline"},
			&core.RelationField{Name: "enterprise", Required: true, MaxSelect: 1, CollectionId: enterprises.Id},
			&core.RelationField{Name: "survey", MaxSelect: 1, CollectionId: surveys.Id},
			&core.RelationField{Name: "need", MaxSelect: 1, CollectionId: needs.Id},
			// The field officer who serves the enterprise: sees the proposals and the work.
			&core.RelationField{Name: "officer", MaxSelect: 1, CollectionId: users.Id},
			&core.TextField{Name: "keywords", Max: 500},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"open", "awarded", "in_progress", "delivered", "accepted", "withdrawn", "failed"}},
			&core.TextField{Name: "status_reason", Max: 2000},
			&core.RelationField{Name: "awarded_team", MaxSelect: 1, CollectionId: teams.Id},
			// The contract's technology transaction value (技术交易额), 万元.
			&core.NumberField{Name: "contract_value_wan", Min: float(0), Max: float(10_000_000)},
			&core.DateField{Name: "published_at"},
			&core.DateField{Name: "awarded_at"},
			&core.DateField{Name: "started_at"},
			&core.DateField{Name: "delivered_at"},
			&core.DateField{Name: "accepted_at"},
			&core.DateField{Name: "closed_at"},
		)
		withTimestamps(challenges)
		challenges.AddIndex("idx_challenges_status", false, "status", "")
		challenges.AddIndex("idx_challenges_enterprise", false, "enterprise", "")
		challenges.AddIndex("idx_challenges_officer", false, "officer", "")
		// The board is open to everyone signed in; the public board (hooks/challenges) shows
		// less. Admins publish, award and close. The awarded team reports its own progress:
		// it may move the challenge to in progress or delivered, and change nothing else.
		challenges.ListRule = types.Pointer(signedIn)
		challenges.ViewRule = challenges.ListRule
		challenges.CreateRule = types.Pointer(admin + ` && status = "open"`)
		challenges.UpdateRule = types.Pointer(`(` + research + ` && awarded_team.members.id ?= @request.auth.id` +
			` && (@request.body.status = "in_progress" || @request.body.status = "delivered") && ` +
			notSet("title", "problem", "solved_when", "budget_wan", "budget_private", "deadline", "enterprise",
				"survey", "need", "officer", "keywords", "awarded_team", "awarded_proposal", "contract_value_wan",
				"published_at", "awarded_at", "started_at", "delivered_at", "accepted_at", "closed_at") +
			`) || ` + admin)
		challenges.DeleteRule = types.Pointer(admin)
		if err := app.Save(challenges); err != nil {
			return err
		}

		proposals := newSyncedCollection("proposals")
		proposals.Fields.Add(
			&core.RelationField{Name: "challenge", Required: true, MaxSelect: 1, CollectionId: challenges.Id, CascadeDelete: true},
			&core.RelationField{Name: "team", Required: true, MaxSelect: 1, CollectionId: teams.Id, CascadeDelete: true},
			&core.RelationField{Name: "submitted_by", Required: true, MaxSelect: 1, CollectionId: users.Id},
			&core.TextField{Name: "approach", Required: true, Max: 20000},
			&core.TextField{Name: "team_summary", Max: 5000},
			&core.NumberField{Name: "budget_wan", Min: float(0), Max: float(10_000_000)},
			&core.TextField{Name: "timeline", Max: 5000},
			&core.FileField{Name: "attachments", MaxSelect: 10, MaxSize: 20 << 20, Protected: true,
				MimeTypes: []string{"application/pdf", "image/jpeg", "image/png", "image/webp",
					"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
					"application/vnd.openxmlformats-officedocument.presentationml.presentation"}},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"submitted", "awarded", "declined", "withdrawn"}},
			// Why it was awarded or declined: every applicant is told.
			&core.TextField{Name: "decision_note", Max: 2000},
		)
		withTimestamps(proposals)
		proposals.AddIndex("idx_proposals_challenge", false, "challenge", "")
		proposals.AddIndex("idx_proposals_team", false, "team", "")
		officerOf := `(` + signedIn + ` && challenge.officer = @request.auth.id)`
		ownTeam := research + ` && team.members.id ?= @request.auth.id`
		proposals.ListRule = types.Pointer(`(` + ownTeam + `) || ` + officerOf + ` || ` + admin)
		proposals.ViewRule = proposals.ListRule
		proposals.CreateRule = types.Pointer(`(` + ownTeam + ` && submitted_by = @request.auth.id && status = "submitted"` +
			` && challenge.status = "open") || ` + admin)
		// A team edits or withdraws its proposal until it is decided; the decision is the admins'.
		proposals.UpdateRule = types.Pointer(`(` + ownTeam + ` && status = "submitted"` +
			` && (@request.body.status:isset = false || @request.body.status = "submitted" || @request.body.status = "withdrawn") && ` +
			notSet("challenge", "team", "submitted_by", "decision_note") + `) || ` + admin)
		proposals.DeleteRule = types.Pointer(admin)
		if err := app.Save(proposals); err != nil {
			return err
		}
		// The award names the proposal, which names the challenge: added once both exist.
		challenges.Fields.Add(&core.RelationField{Name: "awarded_proposal", MaxSelect: 1, CollectionId: proposals.Id})
		if err := app.Save(challenges); err != nil {
			return err
		}

		awardedTeam := research + ` && challenge.awarded_team.members.id ?= @request.auth.id`
		milestones := newSyncedCollection("milestones")
		milestones.Fields.Add(
			&core.RelationField{Name: "challenge", Required: true, MaxSelect: 1, CollectionId: challenges.Id, CascadeDelete: true},
			&core.TextField{Name: "title", Required: true, Max: 200},
			&core.DateField{Name: "due_on"},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"pending", "done"}},
			&core.TextField{Name: "evidence_note", Max: 5000},
			&core.FileField{Name: "evidence", MaxSelect: 10, MaxSize: 20 << 20, Protected: true,
				MimeTypes: []string{"application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"}},
			&core.DateField{Name: "done_at"},
		)
		withTimestamps(milestones)
		milestones.AddIndex("idx_milestones_challenge", false, "challenge", "")
		milestones.ListRule = types.Pointer(`(` + awardedTeam + `) || ` + officerOf + ` || ` + admin)
		milestones.ViewRule = milestones.ListRule
		milestones.CreateRule = types.Pointer(`(` + awardedTeam + `) || ` + admin)
		milestones.UpdateRule = types.Pointer(`(` + awardedTeam + ` && ` + notSet("challenge") + `) || ` + admin)
		milestones.DeleteRule = types.Pointer(admin)
		if err := app.Save(milestones); err != nil {
			return err
		}

		links := newSyncedCollection("challenge_engineers")
		links.Fields.Add(
			&core.RelationField{Name: "challenge", Required: true, MaxSelect: 1, CollectionId: challenges.Id, CascadeDelete: true},
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
			&core.TextField{Name: "role", Max: 200},
		)
		withTimestamps(links)
		links.AddIndex("idx_challenge_engineers_pair", true, "challenge, engineer", "")
		links.AddIndex("idx_challenge_engineers_engineer", false, "engineer", "")
		links.ListRule = types.Pointer(`(` + signedIn + ` && engineer.user = @request.auth.id) || ` + officerOf +
			` || (` + awardedTeam + `) || ` + admin)
		links.ViewRule = links.ListRule
		links.CreateRule = types.Pointer(admin)
		links.UpdateRule = types.Pointer(admin)
		links.DeleteRule = types.Pointer(admin)
		if err := app.Save(links); err != nil {
			return err
		}

		// Sync: the change sequence and tombstones of 1764058000, the id index of 1764058200.
		var stmts []string
		for _, name := range tables {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.Add(&core.NumberField{Name: "sync_seq", Hidden: true, OnlyInt: true})
			c.AddIndex("idx_"+name+"_sync_seq", false, "sync_seq", "")
			c.AddIndex("idx_"+name+"_id_nocase", false, "id COLLATE NOCASE", "")
			if err := app.Save(c); err != nil {
				return err
			}
			stmts = append(stmts,
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_insert AFTER INSERT ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid;
					DELETE FROM _sync_tombstones WHERE tbl = '%[1]s' AND record_id = NEW.id; END`, name),
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_update AFTER UPDATE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid; END`, name),
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_delete AFTER DELETE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					INSERT OR REPLACE INTO _sync_tombstones (tbl, record_id, seq)
						VALUES ('%[1]s', OLD.id, (SELECT seq FROM _sync_state WHERE id = 1)); END`, name),
			)
		}
		// The reach epoch of 1764058410: the rules above read research_teams.members and
		// challenges.officer / awarded_team through relations, so a change there changes what
		// others may list.
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER sync_epoch_research_teams_%[1]s AFTER %[1]s ON research_teams BEGIN
				UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`, op))
		}
		stmts = append(stmts, `CREATE TRIGGER sync_epoch_challenges_UPDATE AFTER UPDATE ON challenges
			WHEN OLD.officer IS NOT NEW.officer OR OLD.awarded_team IS NOT NEW.awarded_team BEGIN
			UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`)
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("%w: %s", err, s)
			}
		}
		return nil
	}, func(app core.App) error {
		// awarded_proposal names proposals; the triggers go with their tables.
		challenges, err := app.FindCollectionByNameOrId("challenges")
		if err != nil {
			return err
		}
		challenges.Fields.RemoveByName("awarded_proposal")
		if err := app.Save(challenges); err != nil {
			return err
		}
		for _, name := range []string{"challenge_engineers", "milestones", "proposals", "challenges", "research_teams"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
			if _, err := app.DB().NewQuery(`DELETE FROM _sync_tombstones WHERE tbl = {:t}`).
				Bind(map[string]any{"t": name}).Execute(); err != nil {
				return err
			}
		}
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.GetByName("role").(*core.SelectField).Values = []string{"officer", "engineer", "coordinator", "admin"}
		return app.Save(users)
	})
}
