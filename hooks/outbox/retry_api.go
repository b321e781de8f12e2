package outbox

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// bindRetryApi registers POST /api/outbox/{id}/retry for enclave administrators and superusers.
func bindRetryApi(se *core.ServeEvent) {
	se.Router.POST("/api/outbox/{id}/retry", retry).Bind(apis.RequireAuth())
}

// retry sends a dead row back to pending and answers the row.
func retry(e *core.RequestEvent) error {
	if !e.HasSuperuserAuth() && e.Auth.GetString("role") != "admin" {
		return e.ForbiddenError("Only enclave administrators may retry deliveries.", nil)
	}
	row, err := e.App.FindRecordById(Collection, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such outbox row.", err)
	}
	if s := row.GetString("status"); s != StatusDead {
		return e.BadRequestError("Only a dead delivery can be retried; this one is "+s+".", nil)
	}
	row.Set("status", StatusPending)
	if err := e.App.Save(row); err != nil {
		return e.BadRequestError("The delivery could not be requeued.", err)
	}
	return e.JSON(http.StatusOK, row)
}
