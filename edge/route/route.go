package route

import (
	"errors"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// Why Admit (and Route.Err) refuses a network. errors.Is tells them apart;
// each is a distinct reason for the tunnel endpoint's 403 and its metric.
var (
	// ErrNotReady: the table has not yet applied the log as it was when
	// Run started, so it cannot tell.
	ErrNotReady = errors.New("route: table not caught up with the log")
	// ErrUnknownNetwork: no network with that id was registered.
	ErrUnknownNetwork = errors.New("route: no such network")
	// ErrOtherRegion: the network lives in another region.
	ErrOtherRegion = errors.New("route: network of another region")
	// ErrDeprovisioning: the network is being taken down.
	ErrDeprovisioning = errors.New("route: network is deprovisioning")
	// ErrDeprovisioned: the network is gone and its slug released.
	ErrDeprovisioned = errors.New("route: network is deprovisioned")
	// ErrNotEntitled: the tenant's subscription is closed (or it never had
	// one), or the tenant is deregistered.
	ErrNotEntitled = errors.New("route: tenant not entitled")
	// ErrHalted: Run stopped at an event it cannot decode (one newer than
	// this build, or malformed). The table keeps answering from what it
	// applied before.
	ErrHalted = errors.New("route: halted")
)

// Route is one network of the region as the table knows it.
type Route struct {
	Slug      naming.Slug
	NetworkID ids.NetworkID
	TenantID  ids.TenantID
	// Status is the network's provisioning state.
	Status network.Status
	// Entitled says whether the tenant may hold tunnels (see the package
	// comment).
	Entitled bool
}

// Err is why the network takes neither tunnels nor traffic, or nil when
// it does: provisioning or active, with an entitled tenant.
func (r Route) Err() error {
	switch r.Status {
	case network.StatusProvisioning, network.StatusActive:
		if !r.Entitled {
			return ErrNotEntitled
		}
		return nil
	case network.StatusDeprovisioning:
		return ErrDeprovisioning
	case network.StatusDeprovisioned:
		return ErrDeprovisioned
	}
	return ErrUnknownNetwork
}

// Lapse is a network that stopped being admissible.
type Lapse struct {
	// Route is the network as it is now.
	Route Route
	// Reason is Route.Err(): why it is no longer admissible.
	Reason error
	// Seq is the event that made it so.
	Seq events.StreamSeq
}
