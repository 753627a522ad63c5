package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// ensureSchema creates the reconciler's own tables if they are missing.
// They are not the projection's: a rebuild of the projection keeps them.
func (r *Reconciler) ensureSchema(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		// Concurrent CREATE ... IF NOT EXISTS can still collide.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, r.lockKey+".setup"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			CREATE SCHEMA IF NOT EXISTS `+r.own+`;
			-- The records the reconciler published or adopted, by network.
			CREATE TABLE IF NOT EXISTS `+r.own+`.records (
				record_id  text   PRIMARY KEY,
				network_id text   NOT NULL,
				type       text   NOT NULL,
				name       text   NOT NULL,
				content    text   NOT NULL,
				ttl        integer NOT NULL,
				seq        bigint NOT NULL -- the dirty mark it was reconciled at
			);
			CREATE INDEX IF NOT EXISTS records_network ON `+r.own+`.records (network_id);
			-- Networks whose stored records are all they have at Cloudflare:
			-- written by a reconcile that listed them, and not found
			-- different by a drift check since. Their reconciles may skip
			-- the lists.
			CREATE TABLE IF NOT EXISTS `+r.own+`.known (
				network_id text PRIMARY KEY
			);
			-- Networks whose last reconcile failed, and when to try again.
			CREATE TABLE IF NOT EXISTS `+r.own+`.retries (
				network_id text        PRIMARY KEY,
				seq        bigint      NOT NULL, -- the dirty mark that failed
				failures   integer     NOT NULL,
				retry_at   timestamptz NOT NULL,
				last_error text        NOT NULL
			);`)
		return err
	})
	if err != nil {
		return fmt.Errorf("dns reconciler schema: %w", err)
	}
	return nil
}

// target is one dirty network as the reconciler found it: everything read
// in one statement, so the desired records, the state and the mark agree.
type target struct {
	id, tenant, slug string
	seq              int64
	state            network.Status
	desired          []record       // the projection's and the edge records (withEdge)
	stored           []storedRecord // the records this reconciler published for it
	known            bool           // stored is all the network has at Cloudflare
	owned            map[string]bool
}

// storedRecord is a record as the reconciler last wrote or adopted it.
type storedRecord struct {
	ID string `json:"id"`
	record
}

// due reads up to limit dirty networks, oldest mark first, that are not
// backing off and not in exclude. A network marked again since it failed
// is due at once.
func (r *Reconciler) due(ctx context.Context, limit int, exclude []string) ([]target, error) {
	rows, err := r.pool.Query(ctx, `
		SELECT d.network_id, d.seq, n.tenant_id, n.slug, n.state,
			COALESCE((SELECT json_agg(json_build_object('type', x.type, 'name', x.name, 'content', x.content, 'ttl', x.ttl))
				FROM `+r.proj+`.desired x WHERE x.network_id = d.network_id), '[]'),
			COALESCE((SELECT json_agg(json_build_object('id', o.record_id, 'type', o.type, 'name', o.name, 'content', o.content, 'ttl', o.ttl))
				FROM `+r.own+`.records o WHERE o.network_id = d.network_id), '[]'),
			-- A subquery per row, not a semi-join: the planner would hash
			-- the whole table for every read of a few dirty networks.
			COALESCE((SELECT true FROM `+r.own+`.known k WHERE k.network_id = d.network_id), false)
		FROM `+r.proj+`.dirty d
		JOIN `+r.proj+`.networks n ON n.id = d.network_id
		LEFT JOIN `+r.own+`.retries b ON b.network_id = d.network_id
		WHERE (b.network_id IS NULL OR b.retry_at <= $1 OR b.seq <> d.seq) AND d.network_id <> ALL ($3)
		ORDER BY d.seq, d.network_id
		LIMIT $2`, r.cfg.Clock.Now(), limit, exclude)
	if err != nil {
		return nil, fmt.Errorf("dirty networks: %w", err)
	}
	var out []target
	for rows.Next() {
		var (
			t     target
			state string
		)
		if err := rows.Scan(&t.id, &t.seq, &t.tenant, &t.slug, &state, &t.desired, &t.stored, &t.known); err != nil {
			rows.Close()
			return nil, fmt.Errorf("dirty networks: %w", err)
		}
		t.state = network.Status(state)
		t.desired = withEdge(t.desired, r.cfg.Zone, t.slug, t.state, r.cfg.EdgeAddresses)
		t.owned = make(map[string]bool, len(t.stored))
		for _, o := range t.stored {
			t.owned[o.ID] = true
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dirty networks: %w", err)
	}
	return out, nil
}

// reconcileNetwork reconciles one network and records the outcome. It
// returns an error only when the outcome could not be recorded, when ctx
// ended or when the lock is lost: all of which stop the dispatcher.
func (r *Reconciler) reconcileNetwork(ctx context.Context, t target) error {
	log := r.log.With(slog.String("network", t.id), slog.Int64("seq", t.seq))
	published, listed, err := r.reconcile(ctx, t)
	reconciled := err == nil // Cloudflare holds published, whatever follows
	if reconciled {
		err = r.decideLifecycle(ctx, t)
	}
	if ctx.Err() != nil {
		return ctx.Err() // cut short: the mark stays, the next run does it again
	}
	if errors.Is(err, errNotLeader) {
		return err // another replica has the network now
	}
	if err != nil {
		r.failures.Add(1)
		return r.recordFailure(ctx, log, t, reconciled, published, err)
	}
	if err := r.recordSuccess(ctx, t, published, listed); err != nil {
		return err
	}
	r.reconciles.Add(1)
	log.DebugContext(ctx, "network reconciled", "records", len(published))
	return nil
}

// reconcile makes Cloudflare hold exactly t's desired records at its names
// and returns them with their ids. published is nil when it failed before
// knowing them all; listed says whether it listed the names (rather than
// trusting what it had stored).
//
// A network whose stored records are known to be all it has (see
// recordSuccess and DriftCheck) is reconciled from them without listing,
// as long as that needs no create: an address that changed costs one
// update instead of two lists and an update. A create goes through the
// lists, so that a record created by a reconcile cut short (published at
// Cloudflare, never stored) is adopted rather than duplicated; so does a
// stored record found missing, and a network on its way out (its "nothing
// left" decides network.MarkDeprovisioned, and is to be seen, not
// remembered).
func (r *Reconciler) reconcile(ctx context.Context, t target) (published []kept, listed bool, err error) {
	if t.known && t.state != network.StatusDeprovisioning {
		actual := make([]zone.Record, len(t.stored))
		for i, o := range t.stored {
			actual[i] = zone.Record{ID: o.ID, RecordSpec: o.spec()}
		}
		if p := planFor(t.desired, actual, t.owned); len(p.creates) == 0 {
			published, err := r.apply(ctx, p, false)
			if !errors.Is(err, errStale) {
				return published, false, err
			}
		}
	}
	parent := r.cfg.Zone
	var actual []zone.Record
	// Two lists: the address name with a name filter only (A and AAAA in
	// one request, other types dropped here), the challenge name with
	// name and type. Every request counts against the budget, so the
	// wildcard name (A and AAAA, like the address name) is a third list
	// only when the region has edge addresses or the network has wildcard
	// records stored: a region without them has none to publish, and
	// the drift check deletes any it finds (DriftCheck).
	type query struct {
		name string
		typ  zone.RecordType
	}
	queries := []query{{addressName(t.slug, parent), ""}, {challengeName(t.slug, parent), zone.TypeTXT}}
	if len(r.cfg.EdgeAddresses) > 0 || slices.ContainsFunc(t.stored, func(o storedRecord) bool { return isWildcard(o.Name) }) {
		queries = append(queries, query{wildcardName(t.slug, parent), ""})
	}
	for _, q := range queries {
		recs, err := r.cf.List(ctx, q.name, q.typ)
		if err != nil {
			return nil, true, err
		}
		for _, rec := range recs {
			if owns(parent, t.slug, rec.Type, rec.Name) {
				actual = append(actual, rec)
			}
		}
	}
	p := planFor(t.desired, actual, t.owned)
	if t.known && p.writes() {
		// A record this reconcile creates is stored only when it ends; one
		// cut short must leave the network unknown, so that the next
		// reconcile lists (and adopts the record) rather than trusting
		// stored records that lack it.
		if _, err := r.pool.Exec(ctx, `DELETE FROM `+r.own+`.known WHERE network_id = $1`, t.id); err != nil {
			return nil, true, fmt.Errorf("forget known records of %s: %w", t.id, err)
		}
	}
	published, err = r.apply(ctx, p, true)
	return published, true, err
}

// errStale is an update of a stored record that Cloudflare no longer has.
var errStale = errors.New("a stored record is gone from Cloudflare")

// apply carries out p and returns the records published. An update of a
// record deleted behind the reconciler's back meanwhile creates it again
// when listed is true (p came from a listing), and returns errStale when p
// came from stored records, which are then not to be trusted.
func (r *Reconciler) apply(ctx context.Context, p plan, listed bool) ([]kept, error) {
	published := p.keep
	if p.writes() {
		if err := r.fence(ctx, r.pool); err != nil {
			return nil, err
		}
	}
	// Write what should be there first, then remove what should not: a
	// name is never left without its records in between.
	for _, u := range p.updates {
		rec, err := r.cf.Update(ctx, u.id, u.rec.spec())
		if errors.Is(err, zone.ErrNotFound) {
			if !listed {
				return nil, errStale
			}
			rec, err = r.cf.Create(ctx, u.rec.spec())
		}
		if err != nil {
			return nil, err
		}
		r.writes.Add(1)
		published = append(published, kept{id: rec.ID, rec: u.rec})
	}
	for _, c := range p.creates {
		rec, err := r.cf.Create(ctx, c.spec())
		if err != nil {
			return nil, err
		}
		r.writes.Add(1)
		published = append(published, kept{id: rec.ID, rec: c})
	}
	for _, id := range p.deletes {
		if err := r.cf.Delete(ctx, id); err != nil && !errors.Is(err, zone.ErrNotFound) {
			return nil, err
		}
		r.writes.Add(1)
	}
	return published, nil
}

// decideLifecycle appends what the network's records now allow: activated
// once a provisioning network's address is published, deprovisioned once a
// deprovisioning network has nothing left. The command id is the network's
// and the mark's, so deciding again after a crash stores nothing new; a
// network that moved on meanwhile (ErrWrongState) is fine.
func (r *Reconciler) decideLifecycle(ctx context.Context, t target) error {
	var (
		step   string
		decide func(network.State) ([]events.Payload, error)
	)
	switch {
	case t.state == network.StatusProvisioning && publishesAddress(t.desired, addressName(t.slug, r.cfg.Zone)):
		step, decide = "activate", network.Activate{}.Decide
	case t.state == network.StatusDeprovisioning && len(t.desired) == 0:
		step, decide = "deprovisioned", network.MarkDeprovisioned{}.Decide
	default:
		return nil
	}
	meta := events.Meta{
		CommandID: fmt.Sprintf("dns-%s-%s-%d", step, t.id, t.seq),
		TenantID:  t.tenant,
		Actor:     "process:" + r.name,
	}
	_, err := r.networks.Execute(ctx, t.id, meta, decide)
	if err != nil && !errors.Is(err, network.ErrWrongState) {
		return fmt.Errorf("%s network %s: %w", step, t.id, err)
	}
	return nil
}

// publishesAddress reports whether rs holds an A or AAAA record at name,
// the network's own name: its edge records do not make it active, its
// daemon's address does.
func publishesAddress(rs []record, name string) bool {
	for _, r := range rs {
		if (r.Type == zone.TypeA || r.Type == zone.TypeAAAA) && r.Name == name {
			return true
		}
	}
	return false
}

// recordSuccess stores the network's record ids and clears its dirty mark,
// unless an event set it again meanwhile (then the mark has a newer seq
// and the network is reconciled again). A reconcile that listed the names
// makes the stored records known to be all the network has; one that did
// not leaves that as it is, so that a drift check that found the network
// different meanwhile is not overruled.
func (r *Reconciler) recordSuccess(ctx context.Context, t target, published []kept, listed bool) error {
	b := &pgx.Batch{}
	queueRecords(b, r.own, t, published)
	if listed {
		b.Queue(`INSERT INTO `+r.own+`.known (network_id) VALUES ($1) ON CONFLICT DO NOTHING`, t.id)
	}
	b.Queue(`DELETE FROM `+r.proj+`.dirty WHERE network_id = $1 AND seq = $2`, t.id, t.seq)
	b.Queue(`DELETE FROM `+r.own+`.retries WHERE network_id = $1`, t.id)
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if err := r.fence(ctx, tx); err != nil {
			return err
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("record reconcile of %s: %w", t.id, err)
	}
	return nil
}

// recordFailure puts the network on backoff: BackoffMin doubling with its
// failures in a row, and at least what Cloudflare asked in Retry-After.
func (r *Reconciler) recordFailure(ctx context.Context, log *slog.Logger, t target, reconciled bool, published []kept, cause error) error {
	var failures int
	err := r.pool.QueryRow(ctx, `SELECT failures FROM `+r.own+`.retries WHERE network_id = $1`, t.id).Scan(&failures)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("record failure of %s: %w", t.id, err)
	}
	failures++
	wait := r.backoff(failures)
	if ra := zone.RetryAfter(cause); ra > wait {
		wait = ra
	}
	b := &pgx.Batch{}
	if reconciled { // Cloudflare is right; the lifecycle command failed
		queueRecords(b, r.own, t, published)
	}
	b.Queue(`
		INSERT INTO `+r.own+`.retries (network_id, seq, failures, retry_at, last_error) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (network_id) DO UPDATE SET seq = EXCLUDED.seq, failures = EXCLUDED.failures,
			retry_at = EXCLUDED.retry_at, last_error = EXCLUDED.last_error`,
		t.id, t.seq, failures, r.cfg.Clock.Now().Add(wait), truncate(cause.Error(), 1000))
	if err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() }); err != nil {
		return fmt.Errorf("record failure of %s: %w", t.id, err)
	}
	log.WarnContext(ctx, "network reconcile failed; will retry", "failures", failures, "retry_in", wait.Round(time.Millisecond), "err", cause)
	return nil
}

// queueRecords replaces the stored record ids of t's network.
func queueRecords(b *pgx.Batch, own string, t target, published []kept) {
	var (
		ids, types, names, contents []string
		ttls                        []int32
	)
	for _, k := range published {
		ids = append(ids, k.id)
		types = append(types, string(k.rec.Type))
		names = append(names, k.rec.Name)
		contents = append(contents, k.rec.Content)
		ttls = append(ttls, int32(k.rec.TTL))
	}
	b.Queue(`DELETE FROM `+own+`.records WHERE network_id = $1`, t.id)
	b.Queue(`
		INSERT INTO `+own+`.records (record_id, network_id, type, name, content, ttl, seq)
		SELECT i, $1, t, n, c, l, $7 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::integer[]) AS u (i, t, n, c, l)
		ON CONFLICT (record_id) DO UPDATE SET network_id = EXCLUDED.network_id, type = EXCLUDED.type,
			name = EXCLUDED.name, content = EXCLUDED.content, ttl = EXCLUDED.ttl, seq = EXCLUDED.seq`,
		t.id, ids, types, names, contents, ttls, t.seq)
}

// truncate cuts s to at most n bytes, on a character boundary (Postgres
// refuses invalid UTF-8).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
