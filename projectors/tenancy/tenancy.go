package tenancy

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/projectors"
)

// Name is the projection's name; its tables live in schema proj_tenancy.
const Name = "tenancy"

// Projection is the tenancy read model.
type Projection struct{ name string }

var (
	_ projectors.Projection = (*Projection)(nil)
	_ projectors.Migrator   = (*Projection)(nil)
)

// New returns the tenancy projection.
func New() *Projection { return &Projection{name: Name} }

// Name implements projectors.Projection.
func (p *Projection) Name() string { return p.name }

// Subjects implements projectors.Projection: every event, so that the
// checkpoint follows the log's last sequence (see Reader.Sync).
func (p *Projection) Subjects() []string { return nil }

// Setup implements projectors.Projection.
func (p *Projection) Setup(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
		CREATE TABLE tenants (
			id              text        PRIMARY KEY,
			email_sealed    text        NOT NULL,
			created_at      timestamptz NOT NULL,
			deregistered_at timestamptz
		);
		CREATE TABLE networks (
			id                 text        PRIMARY KEY,
			tenant_id          text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			slug               text        NOT NULL UNIQUE,
			display_name       text,
			region             text        NOT NULL,
			provisioning_state text        NOT NULL,
			udp_port           integer,
			created_at         timestamptz NOT NULL,
			updated_at         timestamptz NOT NULL
		);
		CREATE INDEX networks_tenant ON networks (tenant_id, created_at, id);
		CREATE TABLE daemons (
			id         text        PRIMARY KEY,
			tenant_id  text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
			network_id text        NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
			public_key text        NOT NULL,
			created_at timestamptz NOT NULL
		);
		CREATE INDEX daemons_tenant ON daemons (tenant_id, created_at, id);
		CREATE INDEX daemons_network ON daemons (network_id, created_at, id);
		CREATE TABLE subscriptions (
			tenant_id          text        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
			id                 text        NOT NULL,
			status             text        NOT NULL,
			max_networks       integer     NOT NULL,
			max_daemons        integer     NOT NULL,
			trial_expires_at   timestamptz,
			current_period_end timestamptz,
			created_at         timestamptz NOT NULL,
			updated_at         timestamptz NOT NULL
		);`)
	if err != nil {
		return fmt.Errorf("tenancy setup: %w", err)
	}
	return nil
}

// Migrate implements projectors.Migrator: a read model set up before the
// networks had UDP ports gains the column, empty, which is what its events
// left it (no port was allocated before the column existed).
func (p *Projection) Migrate(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `ALTER TABLE networks ADD COLUMN IF NOT EXISTS udp_port integer`); err != nil {
		return fmt.Errorf("tenancy migrate: %w", err)
	}
	return nil
}
