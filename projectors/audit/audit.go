// Package audit is the audit projection: an index of every event's envelope
// (sequence, time, type, aggregate, tenant, actor, correlation and
// causation), the data behind `wardctl audit` and the tenant inbox. It
// stores no payloads, because payloads may hold personal data and the index
// must stay harmless after crypto-shredding; a reader that needs a payload
// fetches the event from the log by its sequence.
//
// The projection reads only envelopes, so it indexes events of any type
// and any schema version, including ones newer than this build. The
// projector runtime (package projectors) runs it; this package owns its
// table and its queries, and every query is scoped to one tenant.
package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// Name is the audit projection's name.
const Name = "audit"

// MaxLimit bounds the entries one query returns.
const MaxLimit = 1000

// ErrNoTenant is returned by a query without a tenant: the index is shared
// by all tenants, and every query reads one tenant's part.
var ErrNoTenant = errors.New("audit: query without a tenant")

// Projection is the audit index.
type Projection struct {
	name string
}

var (
	_ projectors.Projection   = (*Projection)(nil)
	_ projectors.BatchApplier = (*Projection)(nil)
	_ projectors.EnvelopeOnly = (*Projection)(nil)
)

// New returns the audit projection.
func New() *Projection { return &Projection{name: Name} }

// Named returns the audit projection under another name, with its own
// tables, consumer and checkpoint: for a side-by-side copy or a benchmark.
func Named(name string) *Projection { return &Projection{name: name} }

// Name implements projectors.Projection.
func (p *Projection) Name() string { return p.name }

// Subjects implements projectors.Projection: every event.
func (p *Projection) Subjects() []string { return nil }

// EnvelopeOnly implements projectors.EnvelopeOnly: payloads are never read.
func (p *Projection) EnvelopeOnly() bool { return true }

// Setup implements projectors.Projection.
func (p *Projection) Setup(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
		CREATE TABLE events (
			seq            bigint      PRIMARY KEY,
			event_id       text        NOT NULL,
			time           timestamptz NOT NULL,
			type           text        NOT NULL,
			schema_version integer     NOT NULL,
			source         text        NOT NULL,
			aggregate_type text        NOT NULL,
			aggregate_id   text        NOT NULL,
			tenant_id      text,
			actor          text        NOT NULL,
			correlation_id text        NOT NULL,
			causation_id   text        NOT NULL
		);
		CREATE INDEX events_tenant ON events (tenant_id, seq DESC) WHERE tenant_id IS NOT NULL;
		CREATE INDEX events_correlation ON events (correlation_id);`)
	if err != nil {
		return fmt.Errorf("audit setup: %w", err)
	}
	return nil
}

var columns = []string{"seq", "event_id", "time", "type", "schema_version", "source",
	"aggregate_type", "aggregate_id", "tenant_id", "actor", "correlation_id", "causation_id"}

func row(r events.Record) []any {
	var tenant *string
	if r.TenantID != "" {
		tenant = &r.TenantID
	}
	return []any{int64(r.Seq), r.ID, r.Time, r.Type, r.SchemaVersion, r.Source,
		r.Aggregate.Type(), r.Aggregate.ID(), tenant, r.Actor, r.CorrelationID, r.CausationID}
}

// Apply implements projectors.Projection.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, r events.Record) error {
	_, err := tx.Exec(ctx, `INSERT INTO events (seq, event_id, time, type, schema_version, source,
		aggregate_type, aggregate_id, tenant_id, actor, correlation_id, causation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, row(r)...)
	if err != nil {
		return fmt.Errorf("audit index seq %d: %w", r.Seq, err)
	}
	return nil
}

// ApplyBatch implements projectors.BatchApplier with one COPY.
func (p *Projection) ApplyBatch(ctx context.Context, tx pgx.Tx, recs []events.Record) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, columns, pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
		return row(recs[i]), nil
	}))
	if err != nil {
		return fmt.Errorf("audit index seq %d to %d: %w", recs[0].Seq, recs[len(recs)-1].Seq, err)
	}
	return nil
}

// Entry is one indexed event.
type Entry struct {
	Seq           events.StreamSeq
	ID            string
	Time          time.Time
	Type          string
	SchemaVersion int
	Source        string
	AggregateType string
	AggregateID   string
	TenantID      string
	Actor         string
	CorrelationID string
	CausationID   string
}

// Querier is what the queries need: *pgxpool.Pool, *pgx.Conn or pgx.Tx.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Recent returns a tenant's events before sequence before (0: from the
// newest), newest first, at most limit (at most MaxLimit) of them.
func (p *Projection) Recent(ctx context.Context, db Querier, tenant string, before events.StreamSeq, limit int) ([]Entry, error) {
	if tenant == "" {
		return nil, ErrNoTenant
	}
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	if before == 0 {
		before = 1<<63 - 1
	}
	return p.query(ctx, db, `tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, tenant, int64(before), limit)
}

// Correlated returns a tenant's events that share a correlation id (what one
// request caused), oldest first.
func (p *Projection) Correlated(ctx context.Context, db Querier, tenant, correlationID string) ([]Entry, error) {
	if tenant == "" {
		return nil, ErrNoTenant
	}
	return p.query(ctx, db, `tenant_id = $1 AND correlation_id = $2 ORDER BY seq LIMIT $3`, tenant, correlationID, MaxLimit)
}

func (p *Projection) query(ctx context.Context, db Querier, where string, args ...any) ([]Entry, error) {
	table := pgx.Identifier{projectors.SchemaName(p.name), "events"}.Sanitize()
	rows, err := db.Query(ctx, `SELECT seq, event_id, time, type, schema_version, source, aggregate_type,
		aggregate_id, coalesce(tenant_id, ''), actor, correlation_id, causation_id FROM `+table+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("audit query: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.Seq, &e.ID, &e.Time, &e.Type, &e.SchemaVersion, &e.Source, &e.AggregateType,
			&e.AggregateID, &e.TenantID, &e.Actor, &e.CorrelationID, &e.CausationID)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit query: %w", err)
	}
	return entries, nil
}
