package credentials

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// Name is the projection's name; its tables live in schema
// proj_update_credentials.
const Name = "update_credentials"

// Projection is the update credentials read model.
type Projection struct{}

var _ projectors.Projection = (*Projection)(nil)

// New returns the update credentials projection.
func New() *Projection { return &Projection{} }

// Name implements projectors.Projection.
func (*Projection) Name() string { return Name }

// subject is what the projection reads: the network aggregates, which hold
// both the networks and their credentials. Its checkpoint moves only on
// these events.
const subject = events.SubjectPrefix + network.Type + ".*"

// Subjects implements projectors.Projection: the network aggregates.
func (*Projection) Subjects() []string { return []string{subject} }

// Setup implements projectors.Projection.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
		-- Every network until it is deprovisioned, of every region.
		CREATE TABLE networks (
			id        text PRIMARY KEY,
			tenant_id text NOT NULL,
			slug      text NOT NULL,
			region    text NOT NULL,
			state     text NOT NULL
		);
		CREATE TABLE credentials (
			id          text    PRIMARY KEY,
			network_id  text    NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
			kind        text    NOT NULL,
			username    text    NOT NULL,
			secret_hash text    NOT NULL,
			revoked     boolean NOT NULL DEFAULT false,
			issued_seq  bigint  NOT NULL
		);
		CREATE INDEX credentials_username ON credentials (username) WHERE NOT revoked;
		CREATE INDEX credentials_network ON credentials (network_id);`)
	if err != nil {
		return fmt.Errorf("%s setup: %w", Name, err)
	}
	return nil
}

// Apply implements projectors.Projection. Events it does not know change
// nothing.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, rec events.Record) error {
	if err := apply(ctx, tx, rec); err != nil {
		return fmt.Errorf("%s: %s at %d: %w", Name, rec.Type, rec.Seq, err)
	}
	return nil
}

func apply(ctx context.Context, tx pgx.Tx, rec events.Record) error {
	id := rec.Aggregate.ID()
	var err error
	switch e := rec.Data.(type) {
	case network.Registered:
		_, err = tx.Exec(ctx, `
			INSERT INTO networks (id, tenant_id, slug, region, state) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`,
			id, e.TenantID.String(), e.Slug.String(), string(e.Region), string(network.StatusProvisioning))
	case network.Activated:
		_, err = tx.Exec(ctx, `UPDATE networks SET state = $2 WHERE id = $1 AND state = $3`,
			id, string(network.StatusActive), string(network.StatusProvisioning))
	case network.DeprovisioningStarted:
		_, err = tx.Exec(ctx, `UPDATE networks SET state = $2 WHERE id = $1`, id, string(network.StatusDeprovisioning))
	case network.Deprovisioned:
		// Its credentials go with it (cascade).
		_, err = tx.Exec(ctx, `DELETE FROM networks WHERE id = $1`, id)
	case network.UpdateCredentialIssued:
		// The network's registration came first on its own aggregate; a
		// network this projection no longer holds is deprovisioned, and
		// its credential is dead.
		_, err = tx.Exec(ctx, `
			INSERT INTO credentials (id, network_id, kind, username, secret_hash, issued_seq)
			SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM networks WHERE id = $2)
			ON CONFLICT (id) DO NOTHING`,
			e.CredentialID.String(), id, string(e.Kind), e.Username, e.SecretHash, int64(rec.Seq))
	case network.UpdateCredentialRevoked:
		_, err = tx.Exec(ctx, `UPDATE credentials SET revoked = true WHERE id = $1 AND network_id = $2`,
			e.CredentialID.String(), id)
	}
	return err
}
