package tunneller

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// Catalog registers every event the commands read or write: the network's
// (to check that a network may hold a port) and the port pool's.
func Catalog(c *events.Catalog) {
	network.Register(c)
	udpport.Register(c)
}

// Deps is what the commands run on.
type Deps struct {
	// Store is the event log; its catalogue must hold Catalog's events.
	Store *events.Store
	// Pool holds the aggregates' snapshots; nil disables them.
	Pool *pgxpool.Pool
	// Region is the region this service serves: its pool is
	// udpport.<region>, and only its networks get ports.
	Region naming.Region
	// Ports is the region's UDP port range; the zero value is
	// udpport.DefaultRange.
	Ports udpport.Range
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// App is the tunneller service's application: it runs the commands that
// Commands lists, each in the file named after it. It is safe for
// concurrent use.
type App struct {
	d        Deps
	networks *aggregates.Repository[network.State] // read only: the tenants service's aggregate
	pools    *aggregates.Repository[udpport.State] // udpport.<region>, which the commands decide on
}

// snapshotEvery: a pool grows by an event per allocation and release;
// snapshots keep a long-lived region's cheap to load.
const snapshotEvery = 200

// New checks deps and builds the aggregates' repositories.
func New(d Deps) (*App, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("tunneller commands: missing Store")
	case d.Region == "":
		return nil, errors.New("tunneller commands: missing Region")
	}
	if d.Ports == (udpport.Range{}) {
		d.Ports = udpport.DefaultRange
	}
	if !d.Ports.Valid() {
		return nil, fmt.Errorf("tunneller commands: UDP ports %s: %w", d.Ports, udpport.ErrInvalidRange)
	}
	if _, err := events.NewRef(udpport.Type, string(d.Region)); err != nil {
		return nil, fmt.Errorf("tunneller commands: region %q: %w", d.Region, err)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	a := &App{d: d}
	var err error
	a.networks, err = aggregates.NewRepository(d.Store, d.Pool, aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve,
		StateVersion: network.StateVersion, SnapshotEvery: 100,
	}, aggregates.WithLogger(d.Logger))
	if err != nil {
		return nil, fmt.Errorf("tunneller commands: %w", err)
	}
	a.pools, err = aggregates.NewRepository(d.Store, d.Pool, aggregates.Kind[udpport.State]{
		Type: udpport.Type, Initial: udpport.Initial, Evolve: udpport.Evolve,
		StateVersion: udpport.StateVersion, SnapshotEvery: snapshotEvery,
	}, aggregates.WithLogger(d.Logger))
	if err != nil {
		return nil, fmt.Errorf("tunneller commands: %w", err)
	}
	return a, nil
}

// Region is the region whose pool the commands decide on.
func (a *App) Region() naming.Region { return a.d.Region }

// Ports is the region's UDP port range.
func (a *App) Ports() udpport.Range { return a.d.Ports }
