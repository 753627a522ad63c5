package network

import (
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// RegisterNetwork registers a new network with its first daemon (Register in
// docs/tenants.md; the name Register is the package's catalogue function).
// The application appends its event atomically with the slug's claim, the
// tenant's network_added and daemon_added, and the daemon's registration.
type RegisterNetwork struct {
	TenantID       ids.TenantID
	Slug           naming.Slug
	DisplayName    string
	Region         naming.Region
	RegistrationID ids.RegistrationID
	DaemonKey      ids.DaemonKey
}

// Decide returns Registered, or ErrExists when the network id has events.
func (c RegisterNetwork) Decide(s State) ([]events.Payload, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("register network %s: %w", c.Slug, err)
	}
	if s.Exists() {
		return nil, fmt.Errorf("register network %s: %w", c.Slug, ErrExists)
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{Registered{
		TenantID:       c.TenantID,
		Slug:           c.Slug,
		DisplayName:    c.DisplayName,
		Region:         c.Region,
		RegistrationID: c.RegistrationID,
		DaemonKey:      c.DaemonKey,
	}}, nil
}

// validate catches zero values, which only a programming error produces:
// the parsers (ids, naming) return no empty values.
func (c RegisterNetwork) validate() error {
	switch {
	case c.TenantID == "", c.Slug == "", c.Region == "", c.RegistrationID == "":
		return errors.New("tenant, slug, region and daemon id are required")
	case c.DaemonKey.IsZero():
		return errors.New("daemon key is required")
	}
	return nil
}
