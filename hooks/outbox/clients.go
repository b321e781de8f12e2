package outbox

import (
	"errors"
	"fmt"

	"feidi/integrations/college"
	"feidi/integrations/sharing"
)

// Clients are the outside systems Feidi delivers to; a nil client is an integration that is off.
type Clients struct {
	College *college.Client
	Sharing *sharing.Client
}

// LoadClients reads every integration's settings from the environment. Its error names each bad
// setting; serve refuses to start with it.
func LoadClients() (Clients, error) {
	var c Clients
	var errCollege, errSharing error
	c.College, errCollege = college.FromEnv()
	c.Sharing, errSharing = sharing.FromEnv()
	if err := errors.Join(errCollege, errSharing); err != nil {
		return Clients{}, fmt.Errorf("integrations: %w", err)
	}
	return c, nil
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
