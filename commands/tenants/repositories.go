package tenants

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// Catalog registers every event of the tenants domain, and the UDP port
// pools' (aggregates/udpport, written by the tunneller service), which the
// tenancy projection reads for the networks' udp_port.
func Catalog(c *events.Catalog) {
	tenant.Register(c)
	reservation.Register(c)
	network.Register(c)
	daemon.Register(c)
	code.Register(c)
	subscription.Register(c)
	account.Register(c)
	udpport.Register(c)
}

// snapshotEvery is how often long aggregates (tenants, accounts) are
// snapshotted; reservations, codes and daemons stay short.
const snapshotEvery = 100

// repositories holds one repository per aggregate kind.
type repositories struct {
	tenants       *aggregates.Repository[tenant.State]
	slugs         *aggregates.Repository[reservation.State[ids.NetworkID]]
	emails        *aggregates.Repository[reservation.State[ids.TenantID]]
	networks      *aggregates.Repository[network.State]
	daemons       *aggregates.Repository[daemon.State]
	codes         *aggregates.Repository[code.State]
	subscriptions *aggregates.Repository[subscription.State]
	accounts      *aggregates.Repository[account.State]
}

func newRepositories(store *events.Store, pool *pgxpool.Pool) (repositories, error) {
	var (
		r    repositories
		errs []error
	)
	r.tenants = repo(store, pool, &errs, aggregates.Kind[tenant.State]{
		Type: tenant.Type, Initial: tenant.Initial, Evolve: tenant.Evolve, StateVersion: tenant.StateVersion, SnapshotEvery: snapshotEvery})
	r.slugs = repo(store, pool, &errs, aggregates.Kind[reservation.State[ids.NetworkID]]{
		Type: reservation.SlugType, Initial: reservation.Initial[ids.NetworkID], Evolve: reservation.Evolve[ids.NetworkID], StateVersion: reservation.StateVersion})
	r.emails = repo(store, pool, &errs, aggregates.Kind[reservation.State[ids.TenantID]]{
		Type: reservation.EmailType, Initial: reservation.Initial[ids.TenantID], Evolve: reservation.Evolve[ids.TenantID], StateVersion: reservation.StateVersion})
	r.networks = repo(store, pool, &errs, aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve, StateVersion: network.StateVersion, SnapshotEvery: snapshotEvery})
	r.daemons = repo(store, pool, &errs, aggregates.Kind[daemon.State]{
		Type: daemon.Type, Initial: daemon.Initial, Evolve: daemon.Evolve, StateVersion: daemon.StateVersion})
	r.codes = repo(store, pool, &errs, aggregates.Kind[code.State]{
		Type: code.Type, Initial: code.Initial, Evolve: code.Evolve, StateVersion: code.StateVersion})
	r.subscriptions = repo(store, pool, &errs, aggregates.Kind[subscription.State]{
		Type: subscription.Type, Initial: subscription.Initial, Evolve: subscription.Evolve, StateVersion: subscription.StateVersion, SnapshotEvery: snapshotEvery})
	r.accounts = repo(store, pool, &errs, aggregates.Kind[account.State]{
		Type: account.Type, Initial: account.Initial, Evolve: account.Evolve, StateVersion: account.StateVersion, SnapshotEvery: snapshotEvery})
	if len(errs) > 0 {
		return repositories{}, fmt.Errorf("commands: repositories: %v", errs)
	}
	return r, nil
}

func repo[S any](store *events.Store, pool *pgxpool.Pool, errs *[]error, k aggregates.Kind[S]) *aggregates.Repository[S] {
	r, err := aggregates.NewRepository(store, pool, k)
	if err != nil {
		*errs = append(*errs, err)
	}
	return r
}

// ref is the events.Ref of aggregate id of a repository's kind. Commands
// emit only to aggregates whose ids they loaded (or parsed) first, so the
// id is valid: an invalid one is a programming error.
func ref[S any](r *aggregates.Repository[S], id string) events.Ref {
	ref, err := r.Ref(id)
	if err != nil {
		panic(fmt.Sprintf("commands: emit to an invalid aggregate id: %v", err))
	}
	return ref
}
