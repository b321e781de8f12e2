package outbox

import (
	"feidi/integrations/college"
	"feidi/integrations/delivery"
	"feidi/integrations/sharing"
)

// Clients are the outside systems Feidi delivers to; a nil client is an integration that is off.
type Clients struct {
	College *college.Client
	Sharing *sharing.Client
}

// NewClients returns the clients of the given targets (feidi/hooks/settings); a nil target is an
// integration that is off.
func NewClients(collegeTarget, sharingTarget *delivery.Target) Clients {
	var c Clients
	if collegeTarget != nil {
		c.College = college.New(*collegeTarget)
	}
	if sharingTarget != nil {
		c.Sharing = sharing.New(*sharingTarget)
	}
	return c
}

// targets lists the targets that are on.
func (c Clients) targets() []string {
	var t []string
	if c.College != nil {
		t = append(t, TargetCollege)
	}
	if c.Sharing != nil {
		t = append(t, TargetSharing)
	}
	return t
}
