// Package devices provisions phones by QR code: an admin makes a device enrolment for an
// officer or an engineer and shows its QR code; the web app on the phone scans it and exchanges
// the one-time token for a login. A token is short-lived (10 minutes unless the admin says up
// to 60), used once, revocable, and listed per user in device_enrolments. README.md beside this
// file is the protocol for the web app.
package devices

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	goqr "github.com/piglig/go-qr"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/clip"
	"feidi/hooks/lib/secret"
)

// Collection is where enrolments are listed.
const Collection = "device_enrolments"

// tokenPrefix marks an enrolment token.
const tokenPrefix = "fde_"

// DefaultTTL and MaxTTL bound how long a token may wait to be scanned.
const (
	DefaultTTL = 10 * time.Minute
	MaxTTL     = 60 * time.Minute
)

// Register adds the routes when the app serves.
func Register(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		g := e.Router.Group("/api/devices")
		g.POST("/enrolments", create).Bind(apis.RequireAuth())
		g.POST("/enrolments/{id}/revoke", revoke).Bind(apis.RequireAuth())
		g.POST("/enrol", exchange)
		return e.Next()
	})
}

func isAdmin(e *core.RequestEvent) bool {
	return e.HasSuperuserAuth() || e.Auth.GetString("role") == "admin"
}

// Created is the answer to a new enrolment: the token, shown this once, the QR code's payload
// and the QR code itself, a PNG as a data: URL (for an <img> on the admin's screen).
type Created struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Payload   string    `json:"payload"`
	QRPNG     string    `json:"qr_png"`
}

// Payload is what the QR code holds: the web app's enrolment page on this server, the token
// in the fragment, which browsers never send to a server (nor to its logs).
func Payload(server, token string) string {
	return strings.TrimRight(server, "/") + "/enrol.html#token=" + url.QueryEscape(token)
}

func create(e *core.RequestEvent) error {
	if !isAdmin(e) {
		return e.ForbiddenError("Device enrolments are made by the enclave's administrators.", nil)
	}
	var body struct {
		User       string `json:"user"`
		Label      string `json:"label"`
		TTLMinutes int    `json:"ttl_minutes"`
	}
	if err := json.NewDecoder(e.Request.Body).Decode(&body); err != nil {
		return e.BadRequestError("The body must be JSON: {\"user\", \"label\", \"ttl_minutes\"}.", nil)
	}
	errs := validation.Errors{}
	user, err := e.App.FindRecordById("users", body.User)
	switch {
	case body.User == "":
		errs["user"] = validation.NewError("validation_required", "Name the user whose phone is enrolled.")
	case err != nil:
		errs["user"] = validation.NewError("devices_unknown_user", "There is no such user.")
	case user.GetString("role") != "officer" && user.GetString("role") != "engineer":
		errs["user"] = validation.NewError("devices_role", "Phones are enrolled for field officers and engineers.")
	}
	ttl := DefaultTTL
	if body.TTLMinutes != 0 {
		ttl = time.Duration(body.TTLMinutes) * time.Minute
		if ttl < time.Minute || ttl > MaxTTL {
			errs["ttl_minutes"] = validation.NewError("devices_ttl", "A token lives from 1 to 60 minutes.")
		}
	}
	if len([]rune(body.Label)) > 100 {
		errs["label"] = validation.NewError("validation_max_text_constraint", "At most 100 characters.")
	}
	if len(errs) > 0 {
		return e.BadRequestError("The enrolment cannot be made.", errs)
	}
	col, err := e.App.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return err
	}
	token := secret.New(tokenPrefix)
	expires := time.Now().Add(ttl).UTC()
	r := core.NewRecord(col)
	r.Set("user", user.Id)
	r.Set("created_by", e.Auth.Id)
	r.Set("label", body.Label)
	r.Set("token_hash", secret.Hash(token))
	r.Set("expires_at", expires)
	if e.HasSuperuserAuth() { // a superuser is no user of the enclave: no maker is named
		r.Set("created_by", "")
	}
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The enrolment cannot be made.", err)
	}
	payload := Payload(e.App.Settings().Meta.AppURL, token)
	qr, err := goqr.EncodeText(payload, goqr.Medium)
	if err != nil {
		return err
	}
	png, err := qr.ToPNGBytes(goqr.NewQrCodeImgConfig(8, 4))
	if err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, Created{ID: r.Id, User: user.Id, Token: token, ExpiresAt: expires,
		Payload: payload, QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
}

// revoke ends an enrolment that was not used yet; revoking it again changes nothing.
func revoke(e *core.RequestEvent) error {
	if !isAdmin(e) {
		return e.ForbiddenError("Device enrolments are revoked by the enclave's administrators.", nil)
	}
	r, err := e.App.FindRecordById(Collection, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("There is no such enrolment.", nil)
	}
	if r.GetDateTime("revoked_at").IsZero() {
		r.Set("revoked_at", time.Now())
		if err := e.App.Save(r); err != nil {
			return err
		}
	}
	return e.JSON(http.StatusOK, r)
}

// exchange trades a token for the user's login, once: the token is claimed by one conditional
// update, so two phones scanning the same code at once cannot both sign in.
func exchange(e *core.RequestEvent) error {
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(e.Request.Body).Decode(&body); err != nil || body.Token == "" {
		return e.BadRequestError("Send the scanned token: {\"token\": \"fde_…\"}.",
			validation.Errors{"token": validation.NewError("validation_required", "The token is required.")})
	}
	r, err := e.App.FindFirstRecordByData(Collection, "token_hash", secret.Hash(body.Token))
	if err != nil {
		return e.UnauthorizedError("This code is not a Feidi enrolment; ask the administrator for a new one.", nil)
	}
	now := time.Now().UTC()
	refuse := func(why string) error {
		return e.BadRequestError(why+" Ask the administrator for a new code.",
			validation.Errors{"token": validation.NewError("devices_token_spent", why)})
	}
	switch {
	case !r.GetDateTime("revoked_at").IsZero():
		return refuse("This code was revoked.")
	case !r.GetDateTime("used_at").IsZero():
		return refuse("This code was used already.")
	case !r.GetDateTime("expires_at").Time().After(now):
		return refuse("This code has expired.")
	}
	stamp := types.NowDateTime().String()
	res, err := e.App.DB().NewQuery(`UPDATE device_enrolments SET used_at = {:now}, used_by_agent = {:agent}, updated = {:now}
		WHERE id = {:id} AND used_at = '' AND revoked_at = '' AND expires_at > {:now}`).
		Bind(dbx.Params{"now": stamp, "agent": clip.Text(e.Request.UserAgent(), 500), "id": r.Id}).Execute()
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return refuse("This code was used already.")
	}
	user, err := e.App.FindRecordById("users", r.GetString("user"))
	if err != nil {
		return e.UnauthorizedError("The user of this code is gone.", nil)
	}
	return apis.RecordAuthResponse(e, user, "device_enrolment", nil)
}
