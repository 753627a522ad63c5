package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// ErrNotFound is returned for a tenant or network that the read model does
// not hold for the caller's tenant.
var ErrNotFound = errors.New("tenancy: not found")

// ErrBehind is returned when the read model did not catch up with the log
// within the Sync bound: the caller answers 503 rather than stale data.
var ErrBehind = projectors.ErrBehind

// DefaultSyncTimeout bounds how long a read waits for the projection.
const DefaultSyncTimeout = 3 * time.Second

// NetworkView is a network as the API shows it (contract §2.2).
type NetworkView struct {
	ID                string  `json:"id"`
	TenantID          string  `json:"tenant_id"`
	Slug              string  `json:"slug"`
	DisplayName       *string `json:"display_name"`
	Region            string  `json:"region"`
	ProvisioningState string  `json:"provisioning_state"`
	// UDPPort is the network's public UDP port on its region's tunnel
	// edge (the WireGuard relay), null until a tunnel of the network has
	// been given one (aggregates/udpport).
	UDPPort   *int      `json:"udp_port"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DaemonView is a daemon as the API shows it.
type DaemonView struct {
	ID        string    `json:"id"`
	NetworkID string    `json:"network_id"`
	PublicKey string    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
}

// Entitlement is what a subscription allows.
type Entitlement struct {
	MaxNetworks int `json:"max_networks"`
	MaxDaemons  int `json:"max_daemons"`
}

// SubscriptionView is a tenant's subscription as the API shows it.
type SubscriptionView struct {
	ID               string      `json:"id"`
	Status           string      `json:"status"`
	Entitlement      Entitlement `json:"entitlement"`
	TrialExpiresAt   *time.Time  `json:"trial_expires_at"`
	CurrentPeriodEnd *time.Time  `json:"current_period_end"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

// Tenant is a tenant's row: its email still sealed.
type Tenant struct {
	ID             string
	EmailSealed    string
	CreatedAt      time.Time
	DeregisteredAt *time.Time
	Subscription   *SubscriptionView
}

// Reader answers the user routes' queries.
type Reader struct {
	pool    *pgxpool.Pool
	store   *events.Store
	name    string
	timeout time.Duration
}

// NewReader reads the live tables of the projection.
func NewReader(pool *pgxpool.Pool, store *events.Store) *Reader {
	return &Reader{pool: pool, store: store, name: Name, timeout: DefaultSyncTimeout}
}

// Sync waits until the projection has applied every event the log held
// when Sync was called, polling its checkpoint, for at most the reader's
// timeout (ErrBehind).
func (r *Reader) Sync(ctx context.Context) error {
	last, err := r.store.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("tenancy sync: %w", err)
	}
	return r.SyncTo(ctx, last)
}

// SyncTo waits until the projection has applied the event at seq.
func (r *Reader) SyncTo(ctx context.Context, seq events.StreamSeq) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := projectors.WaitFor(ctx, r.pool, r.name, seq); err != nil {
		return fmt.Errorf("tenancy sync: %w", err)
	}
	return nil
}

func (r *Reader) table(name string) string {
	return pgx.Identifier{projectors.SchemaName(r.name), name}.Sanitize()
}

// Tenant returns a tenant with its subscription, deregistered or not.
func (r *Reader) Tenant(ctx context.Context, tenantID ids.TenantID) (Tenant, error) {
	var t Tenant
	err := r.pool.QueryRow(ctx, `SELECT id, email_sealed, created_at, deregistered_at FROM `+r.table("tenants")+` WHERE id = $1`,
		tenantID.String()).Scan(&t.ID, &t.EmailSealed, &t.CreatedAt, &t.DeregisteredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Tenant{}, ErrNotFound
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("tenancy tenant: %w", err)
	}
	var s SubscriptionView
	err = r.pool.QueryRow(ctx, `
		SELECT id, status, max_networks, max_daemons, trial_expires_at, current_period_end, created_at, updated_at
		FROM `+r.table("subscriptions")+` WHERE tenant_id = $1 AND status <> 'canceled'`, tenantID.String()).Scan(
		&s.ID, &s.Status, &s.Entitlement.MaxNetworks, &s.Entitlement.MaxDaemons,
		&s.TrialExpiresAt, &s.CurrentPeriodEnd, &s.CreatedAt, &s.UpdatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Tenant{}, fmt.Errorf("tenancy subscription: %w", err)
	default:
		t.Subscription = &s
	}
	return t, nil
}

const networkColumns = `id, tenant_id, slug, display_name, region, provisioning_state, udp_port, created_at, updated_at`

func scanNetwork(row pgx.CollectableRow) (NetworkView, error) {
	var n NetworkView
	err := row.Scan(&n.ID, &n.TenantID, &n.Slug, &n.DisplayName, &n.Region, &n.ProvisioningState, &n.UDPPort, &n.CreatedAt, &n.UpdatedAt)
	return n, err
}

// Networks lists a tenant's networks, oldest first.
func (r *Reader) Networks(ctx context.Context, tenantID ids.TenantID) ([]NetworkView, error) {
	rows, _ := r.pool.Query(ctx, `SELECT `+networkColumns+` FROM `+r.table("networks")+`
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID.String())
	ns, err := pgx.CollectRows(rows, scanNetwork)
	if err != nil {
		return nil, fmt.Errorf("tenancy networks: %w", err)
	}
	return ns, nil
}

// Network returns one of a tenant's networks.
func (r *Reader) Network(ctx context.Context, tenantID ids.TenantID, networkID ids.NetworkID) (NetworkView, error) {
	rows, _ := r.pool.Query(ctx, `SELECT `+networkColumns+` FROM `+r.table("networks")+`
		WHERE tenant_id = $1 AND id = $2`, tenantID.String(), networkID.String())
	n, err := pgx.CollectExactlyOneRow(rows, scanNetwork)
	if errors.Is(err, pgx.ErrNoRows) {
		return NetworkView{}, ErrNotFound
	}
	if err != nil {
		return NetworkView{}, fmt.Errorf("tenancy network: %w", err)
	}
	return n, nil
}

func scanDaemon(row pgx.CollectableRow) (DaemonView, error) {
	var d DaemonView
	err := row.Scan(&d.ID, &d.NetworkID, &d.PublicKey, &d.CreatedAt)
	return d, err
}

// Daemons lists a tenant's daemons, oldest first.
func (r *Reader) Daemons(ctx context.Context, tenantID ids.TenantID) ([]DaemonView, error) {
	rows, _ := r.pool.Query(ctx, `SELECT id, network_id, public_key, created_at FROM `+r.table("daemons")+`
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID.String())
	ds, err := pgx.CollectRows(rows, scanDaemon)
	if err != nil {
		return nil, fmt.Errorf("tenancy daemons: %w", err)
	}
	return ds, nil
}

// NetworkDaemons lists the daemons of one of a tenant's networks; a
// network of another tenant is ErrNotFound, like a missing one.
func (r *Reader) NetworkDaemons(ctx context.Context, tenantID ids.TenantID, networkID ids.NetworkID) ([]DaemonView, error) {
	if _, err := r.Network(ctx, tenantID, networkID); err != nil {
		return nil, err
	}
	rows, _ := r.pool.Query(ctx, `SELECT id, network_id, public_key, created_at FROM `+r.table("daemons")+`
		WHERE tenant_id = $1 AND network_id = $2 ORDER BY created_at, id`, tenantID.String(), networkID.String())
	ds, err := pgx.CollectRows(rows, scanDaemon)
	if err != nil {
		return nil, fmt.Errorf("tenancy network daemons: %w", err)
	}
	return ds, nil
}
