package ddns

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// Catalog registers every event the commands read or write: the network's
// (to check the caller) and the dns aggregate's.
func Catalog(c *events.Catalog) {
	network.Register(c)
	report.Register(c)
}

// Deps is what the commands run on.
type Deps struct {
	// Store is the event log; its catalogue must hold Catalog's events.
	Store *events.Store
	// Pool holds the aggregates' snapshots; nil disables them.
	Pool *pgxpool.Pool
	// Region is the region this service serves: reports for networks of
	// other regions are refused.
	Region naming.Region
	// Zone is the parent of the networks' names (WARDNET_DNS_ZONE, lower
	// case, no final dot): a network's name is <slug>.<zone>.
	Zone string
	// Credentials finds the update credentials of the stock clients.
	Credentials Credentials
	// ClientLimit counts stock-client requests per client address,
	// UpdateLimit their updates per credential
	// (internal/ratelimit.StockClients and StockUpdates).
	ClientLimit, UpdateLimit Limiter
	// Passwords verifies the argon2id hashes of credentials issued before
	// secrets were stored as their SHA-256, under the process's limit.
	Passwords *passwords.Hasher
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Credentials finds a credential that is not revoked by its username,
// among every credential issued before the call
// (projectors/credentials.Reader.LookupCurrent, which waits, bounded, for
// the projection to reach the log when the username is not there at first):
// credentials.ErrNotFound when there is none, credentials.ErrBehind when
// the projection did not reach the log in time to tell.
type Credentials interface {
	LookupCurrent(ctx context.Context, username string) (credentials.Credential, error)
}

// Limiter admits a bounded number of requests per key and window, across
// every replica (internal/ratelimit.Limiter).
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, time.Duration, error)
}

// App is the ddns service's application: it runs the commands that
// Commands lists, each in the file named after it. It is safe for
// concurrent use.
type App struct {
	d        Deps
	networks *aggregates.Repository[network.State] // read only: the tenants service's aggregate
	dns      *aggregates.Repository[report.State]  // dns.<network id>, which the commands decide on
}

// snapshotEvery: a network's dns aggregate grows by one event per address
// change and challenge; snapshots keep a long-lived one cheap to load.
const snapshotEvery = 100

// New checks deps and builds the aggregates' repositories.
func New(d Deps) (*App, error) {
	var missing []string
	if d.Store == nil {
		missing = append(missing, "Store")
	}
	if d.Region == "" {
		missing = append(missing, "Region")
	}
	if d.Zone == "" {
		missing = append(missing, "Zone")
	} else if d.Zone != strings.ToLower(strings.TrimSuffix(d.Zone, ".")) {
		return nil, fmt.Errorf("ddns commands: zone %q must be lower case without a final dot", d.Zone)
	}
	if d.Credentials == nil {
		missing = append(missing, "Credentials")
	}
	if d.ClientLimit == nil || d.UpdateLimit == nil {
		missing = append(missing, "ClientLimit/UpdateLimit")
	}
	if d.Passwords == nil {
		missing = append(missing, "Passwords")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("ddns commands: missing %s", strings.Join(missing, ", "))
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	a := &App{d: d}
	var err error
	a.networks, err = aggregates.NewRepository(d.Store, d.Pool, aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve,
		StateVersion: network.StateVersion, SnapshotEvery: snapshotEvery,
	}, aggregates.WithLogger(d.Logger))
	if err != nil {
		return nil, fmt.Errorf("ddns commands: %w", err)
	}
	a.dns, err = aggregates.NewRepository(d.Store, d.Pool, aggregates.Kind[report.State]{
		Type: report.Type, Initial: report.Initial, Evolve: report.Evolve,
		StateVersion: report.StateVersion, SnapshotEvery: snapshotEvery,
	}, aggregates.WithLogger(d.Logger))
	if err != nil {
		return nil, fmt.Errorf("ddns commands: %w", err)
	}
	return a, nil
}

// decideDNS loads network id, lets check refuse the command on it,
// decides with decide on the network's dns aggregate and appends what it
// decided. It reports whether anything was appended. (The DNS projection
// marks the network dirty when it applies the event, and its notification
// wakes the reconciler.)
func (a *App) decideDNS(ctx context.Context, id ids.NetworkID, meta events.Meta, check func(network.State) error, decide func(report.State) ([]events.Payload, error)) (bool, error) {
	res, err := aggregates.Execute(ctx, a.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		n, err := aggregates.Get(ctx, tx, a.networks, id.String())
		if err != nil {
			return err
		}
		if err := check(n); err != nil {
			return err
		}
		current, err := aggregates.Get(ctx, tx, a.dns, id.String())
		if err != nil {
			return err
		}
		decided, err := decide(current)
		if err != nil {
			return err
		}
		ref, err := a.dns.Ref(id.String())
		if err != nil {
			return err
		}
		tx.Emit(ref, decided...)
		return nil
	})
	if err != nil {
		return false, err
	}
	return res.Last != 0, nil
}
