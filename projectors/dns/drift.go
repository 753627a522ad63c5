package dns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// DriftCheck compares the whole zone with the desired records (the
// projection's and the edge records of the configured EdgeAddresses). It
// marks dirty every network of the region whose records differ (edited,
// deleted or added by hand, left over by a reconcile cut short, or
// published under another list of edge addresses), and deletes the records
// that look like a network's (A/AAAA <slug>.<zone> and *.<slug>.<zone>,
// TXT _acme-challenge.<slug>.<zone>) when neither a network of this region
// nor one of another region has that slug. When the region has no edge
// addresses, wildcard records of its own networks are deleted the same way:
// no network of it publishes one, and its reconciles list the wildcard name
// only for a network that has such records stored. Every other record of
// the zone is left alone. The active Run calls it every DriftInterval;
// calling it beside a running Run is safe.
func (r *Reconciler) DriftCheck(ctx context.Context) error {
	if err := r.ensureSchema(ctx); err != nil {
		return err
	}
	// List first, read the networks second: a record in the listing was
	// created for a network the read then knows, so it is never taken for
	// an orphan, as long as the projection has caught up with the log as
	// it was before the listing (checked before anything is deleted).
	last, err := r.store.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	all, err := r.cf.List(ctx, "", "")
	if err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	bySlug := map[string][]zone.Record{}
	for _, rec := range all {
		if slug, ok := managedSlug(r.cfg.Zone, rec.Type, rec.Name); ok {
			bySlug[slug] = append(bySlug[slug], rec)
		}
	}
	known, foreign, err := r.knownNetworks(ctx)
	if err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	// A network whose records differ from its desired ones is marked
	// dirty, unless it is already, and its stored records are no longer
	// taken for all it has: its next reconcile lists its names. (A dirty
	// network differs because its change is not published yet, or also
	// because of a hand edit; it costs one listing reconcile to be sure.)
	var drifted, differ []string
	edges := len(r.cfg.EdgeAddresses) > 0
	for _, n := range known {
		var actual, strays []zone.Record
		for _, rec := range bySlug[n.slug] {
			if !edges && isWildcard(strings.ToLower(rec.Name)) {
				strays = append(strays, rec) // deleted below, as orphans
			} else {
				actual = append(actual, rec)
			}
		}
		delete(bySlug, n.slug)
		if len(strays) > 0 {
			bySlug[n.slug] = strays
		}
		if !sameRecords(n.desired, actual) {
			differ = append(differ, n.id)
			if !n.dirty {
				drifted = append(drifted, n.id)
			}
		}
	}
	if len(differ) > 0 {
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM `+r.own+`.known WHERE network_id = ANY($1)`, differ)
		b.Queue(`
			INSERT INTO `+r.proj+`.dirty (network_id, seq)
			SELECT id, last_seq FROM `+r.proj+`.networks WHERE id = ANY($1)
			ON CONFLICT (network_id) DO NOTHING`, drifted)
		if err := r.pool.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("drift check: mark dirty: %w", err)
		}
	}
	if len(drifted) > 0 {
		r.log.InfoContext(ctx, "drift check: records differ; networks marked dirty", "networks", len(drifted))
		r.Wake()
	}
	var errs []error
	if len(bySlug) > 0 {
		// A projection behind the log (slow, or halted on an event) does
		// not know every network yet, of this region or another: their
		// records are not orphans. They wait for a drift check that finds
		// it caught up.
		wctx, cancel := context.WithTimeout(ctx, r.cfg.DriftCatchUp)
		err := projectors.WaitFor(wctx, r.pool, r.name, last)
		cancel()
		if err != nil {
			r.log.WarnContext(ctx, "drift check: the projection is behind the log; unknown names left alone", "names", len(bySlug), "err", err)
			bySlug = nil
		}
	}
	if len(bySlug) > 0 {
		if err := r.fence(ctx, r.pool); err != nil {
			return fmt.Errorf("drift check: %w", err)
		}
	}
	for slug, recs := range bySlug {
		if foreign[slug] {
			continue
		}
		for _, rec := range recs {
			err := r.cf.Delete(ctx, rec.ID)
			if err != nil && !errors.Is(err, zone.ErrNotFound) {
				errs = append(errs, err)
				continue
			}
			r.orphans.Add(1)
			r.log.InfoContext(ctx, "drift check: orphan record deleted", "name", rec.Name, "type", string(rec.Type), "id", rec.ID)
		}
	}
	if _, err := r.pool.Exec(ctx, `
		DELETE FROM `+r.own+`.records o WHERE NOT EXISTS (SELECT 1 FROM `+r.proj+`.networks n WHERE n.id = o.network_id);
		DELETE FROM `+r.own+`.known o WHERE NOT EXISTS (SELECT 1 FROM `+r.proj+`.networks n WHERE n.id = o.network_id);
		DELETE FROM `+r.own+`.retries o WHERE NOT EXISTS (SELECT 1 FROM `+r.proj+`.dirty d WHERE d.network_id = o.network_id)`); err != nil {
		errs = append(errs, fmt.Errorf("forget gone networks: %w", err))
	}
	r.drifts.Add(1)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	return nil
}

// knownNetwork is a network of the region as a drift check sees it.
type knownNetwork struct {
	id, slug string
	dirty    bool
	desired  []record // the projection's and the edge records (withEdge)
}

// knownNetworks reads the region's networks and the slugs of other
// regions' networks.
func (r *Reconciler) knownNetworks(ctx context.Context) ([]knownNetwork, map[string]bool, error) {
	rows, err := r.pool.Query(ctx, `
		SELECT n.id, n.slug, n.state, d.network_id IS NOT NULL,
			COALESCE((SELECT json_agg(json_build_object('type', x.type, 'name', x.name, 'content', x.content, 'ttl', x.ttl))
				FROM `+r.proj+`.desired x WHERE x.network_id = n.id), '[]')
		FROM `+r.proj+`.networks n LEFT JOIN `+r.proj+`.dirty d ON d.network_id = n.id`)
	if err != nil {
		return nil, nil, err
	}
	var known []knownNetwork
	for rows.Next() {
		var (
			n     knownNetwork
			state string
		)
		if err := rows.Scan(&n.id, &n.slug, &state, &n.dirty, &n.desired); err != nil {
			rows.Close()
			return nil, nil, err
		}
		n.desired = withEdge(n.desired, r.cfg.Zone, n.slug, network.Status(state), r.cfg.EdgeAddresses)
		known = append(known, n)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = r.pool.Query(ctx, `SELECT DISTINCT slug FROM `+r.proj+`.elsewhere`)
	if err != nil {
		return nil, nil, err
	}
	foreign := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, nil, err
		}
		foreign[s] = true
	}
	return known, foreign, rows.Err()
}
