package projectors

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
)

// Projection is one read model built from the event log. Its methods may be
// called concurrently: a rebuild applies events to the new version while
// the live version keeps applying.
type Projection interface {
	// Name identifies the projection: lower-case letters, digits and '_',
	// starting with a letter, at most 40 characters, without "__". It names
	// the Postgres schema, the durable consumer and the metrics label, so a
	// new name is a new projection that starts from sequence 0.
	Name() string
	// Subjects are the filters on EVENTS the projection reads, e.g.
	// "wardnet.ev.network.*"; empty means every event.
	Subjects() []string
	// Setup creates the projection's tables in an empty schema. search_path
	// is set to that schema, so tables are named without one.
	Setup(ctx context.Context, tx pgx.Tx) error
	// Apply changes the read model for one event, in the transaction that
	// also advances the checkpoint. It must depend only on the events and
	// the projection's own tables (no clock, no other tables), so that a
	// rebuild reproduces the live read model. An event of a type the
	// catalogue does not know arrives as events.Unknown.
	Apply(ctx context.Context, tx pgx.Tx, rec events.Record) error
}

// BatchApplier is implemented by projections that apply many events faster
// together (COPY, multi-row statements). The runtime then calls ApplyBatch
// with the events of a transaction, in order, instead of Apply; Apply is
// still used to find the failing event when a batch fails for good.
type BatchApplier interface {
	ApplyBatch(ctx context.Context, tx pgx.Tx, recs []events.Record) error
}

// Migrator is implemented by projections whose tables have changed since
// an earlier build set them up. At start, under the projection's row lock
// and with search_path set to its live schema, the runtime calls Migrate
// on a schema that exists already (Setup is for an empty one): it must
// bring the tables to what Setup creates now, idempotently and without
// losing what they hold (CREATE TABLE IF NOT EXISTS, ALTER TABLE … ADD
// COLUMN IF NOT EXISTS), so that the projection goes on from its
// checkpoint. A change that the events already applied must be replayed
// for is a new projection version (a rebuild), not a migration.
type Migrator interface {
	Migrate(ctx context.Context, tx pgx.Tx) error
}

// EnvelopeOnly is implemented by projections that read only the envelope,
// such as the audit index. When EnvelopeOnly returns true the runtime does
// not decode payloads: Record.Data is an events.Unknown with the raw JSON,
// and an event written by a newer schema version does not stop the
// projection.
type EnvelopeOnly interface {
	EnvelopeOnly() bool
}

const (
	schemaPrefix = "proj_"
	nextSuffix   = "__next" // the version a rebuild is building
	oldSuffix    = "__old"  // the replaced version, dropped after a switch
	maxName      = 40
	// group is the consumer's priority group; one client in it is pinned.
	group = "active"
)

// SchemaName is the Postgres schema that holds a projection's live tables.
// Readers query <SchemaName(name)>.<table>.
func SchemaName(name string) string { return schemaPrefix + name }

// ConsumerName is the durable JetStream consumer of a projection.
func ConsumerName(name string) string { return schemaPrefix + name }

func checkName(name string) error {
	if name == "" || len(name) > maxName {
		return fmt.Errorf("projectors: name %q must be 1 to %d characters", name, maxName)
	}
	if strings.Contains(name, "__") {
		return fmt.Errorf("projectors: name %q must not contain \"__\"", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_'):
		default:
			return fmt.Errorf("projectors: name %q: only a-z, 0-9 and '_', starting with a letter", name)
		}
	}
	return nil
}

// quote returns a schema name as an SQL identifier.
func quote(schema string) string { return pgx.Identifier{schema}.Sanitize() }

// inSchema runs fn with the transaction's unqualified names pointing at
// schema (and nothing else, so a projection cannot reach other tables by
// accident), then restores the search path for the runtime's own tables.
func inSchema(ctx context.Context, tx pgx.Tx, schema string, fn func() error) error {
	var saved string
	if err := tx.QueryRow(ctx, "SELECT current_setting('search_path'), set_config('search_path', $1, true)",
		quote(schema)).Scan(&saved, nil); err != nil {
		return fmt.Errorf("set search_path %s: %w", schema, err)
	}
	if err := fn(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", saved); err != nil {
		return fmt.Errorf("restore search_path: %w", err)
	}
	return nil
}
