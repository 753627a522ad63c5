package dns

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

// Apply implements projectors.Projection. Events of networks of other
// regions change only their reports and the set of foreign slugs; events
// it does not know change nothing.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, rec events.Record) error {
	if err := p.apply(ctx, tx, rec); err != nil {
		return fmt.Errorf("%s: %s at %d: %w", p.name, rec.Type, rec.Seq, err)
	}
	return nil
}

func (p *Projection) apply(ctx context.Context, tx pgx.Tx, rec events.Record) error {
	id, seq := rec.Aggregate.ID(), int64(rec.Seq)
	switch e := rec.Data.(type) {
	case network.Registered:
		if e.Region != p.cfg.Region {
			_, err := tx.Exec(ctx, `INSERT INTO elsewhere (id, slug, region) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
				id, e.Slug.String(), string(e.Region))
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO networks (id, tenant_id, slug, state, last_seq) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`,
			id, e.TenantID.String(), e.Slug.String(), string(network.StatusProvisioning), seq)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		// Reports may have come first; they count from now. With edge
		// addresses the network publishes its edge records from now on,
		// whatever it reported: dirty even when its own records are none.
		return p.refresh(ctx, tx, id, seq, len(p.cfg.EdgeAddresses) > 0)
	case network.Activated:
		_, err := tx.Exec(ctx, `UPDATE networks SET state = $2, last_seq = $3 WHERE id = $1 AND state = $4`,
			id, string(network.StatusActive), seq, string(network.StatusProvisioning))
		return err
	case network.DeprovisioningStarted:
		tag, err := tx.Exec(ctx, `UPDATE networks SET state = $2, last_seq = $3 WHERE id = $1 AND state IN ($4, $5)`,
			id, string(network.StatusDeprovisioning), seq, string(network.StatusProvisioning), string(network.StatusActive))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		// Dirty even when it published nothing: the reconciler decides
		// Deprovisioned once it has checked that nothing is left.
		return p.refresh(ctx, tx, id, seq, true)
	case network.Deprovisioned:
		// Its desired records and dirty mark go with it (cascade). A
		// report that arrives later is kept but publishes nothing.
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM networks WHERE id = $1`, id)
		b.Queue(`DELETE FROM reports WHERE network_id = $1`, id)
		b.Queue(`DELETE FROM accounts WHERE network_id = $1`, id)
		b.Queue(`DELETE FROM elsewhere WHERE id = $1`, id)
		return tx.SendBatch(ctx, b).Close()
	case network.UpdateCredentialRevoked:
		// A revoked acme-dns account's values are no longer published, and
		// what it may still append (its command checked the network a
		// moment before the revocation) is ignored: its row stays, marked.
		// (Every revoked credential gets one; this projection does not tell
		// the kinds apart.)
		if _, err := tx.Exec(ctx, `
			INSERT INTO accounts (network_id, credential_id, revoked) VALUES ($1, $2, true)
			ON CONFLICT (network_id, credential_id) DO UPDATE SET revoked = true, challenge = '{}'`,
			id, e.CredentialID.String()); err != nil {
			return err
		}
		return p.refresh(ctx, tx, id, seq, false)
	case report.AddressReported:
		col := "ipv6"
		switch {
		case !e.Address.IsValid():
			return nil
		case e.Address.Is4():
			col = "ipv4"
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO reports (network_id, `+col+`, last_seq) VALUES ($1, $2, $3)
			ON CONFLICT (network_id) DO UPDATE SET `+col+` = EXCLUDED.`+col+`, last_seq = EXCLUDED.last_seq`,
			id, e.Address.String(), seq); err != nil {
			return err
		}
		return p.refresh(ctx, tx, id, seq, false)
	case report.ChallengeSet:
		return p.setChallenge(ctx, tx, id, seq, uniqueValues(e.Values))
	case report.ChallengeCleared:
		return p.setChallenge(ctx, tx, id, seq, []string{})
	case report.AccountChallengeSet:
		// Only an account that is not revoked.
		tag, err := tx.Exec(ctx, `
			INSERT INTO accounts (network_id, credential_id, challenge) VALUES ($1, $2, $3)
			ON CONFLICT (network_id, credential_id) DO UPDATE SET challenge = EXCLUDED.challenge WHERE NOT accounts.revoked`,
			id, e.CredentialID.String(), uniqueValues(e.Values))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return p.refresh(ctx, tx, id, seq, false)
	}
	return nil
}

func (p *Projection) setChallenge(ctx context.Context, tx pgx.Tx, id string, seq int64, values []string) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO reports (network_id, challenge, last_seq) VALUES ($1, $2, $3)
		ON CONFLICT (network_id) DO UPDATE SET challenge = EXCLUDED.challenge, last_seq = EXCLUDED.last_seq`,
		id, values, seq); err != nil {
		return err
	}
	return p.refresh(ctx, tx, id, seq, false)
}

// refresh recomputes a network's desired records after the event at seq
// and marks the network dirty when they changed (or when force is set).
// A network this projection does not hold (another region's, or not
// registered yet) has none.
func (p *Projection) refresh(ctx context.Context, tx pgx.Tx, id string, seq int64, force bool) error {
	var (
		slug, state string
		rep         reported
		ipv4, ipv6  *string
		current     []record
	)
	err := tx.QueryRow(ctx, `
		SELECT n.slug, n.state, r.ipv4, r.ipv6, COALESCE(r.challenge, '{}'),
			COALESCE((SELECT array_agg(v) FROM accounts a CROSS JOIN LATERAL unnest(a.challenge) v
				WHERE a.network_id = n.id AND NOT a.revoked), '{}'),
			COALESCE((SELECT json_agg(json_build_object('type', d.type, 'name', d.name, 'content', d.content, 'ttl', d.ttl))
				FROM desired d WHERE d.network_id = n.id), '[]')
		FROM networks n LEFT JOIN reports r ON r.network_id = n.id
		WHERE n.id = $1`, id).Scan(&slug, &state, &ipv4, &ipv6, &rep.Challenge, &rep.Accounts, &current)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if ipv4 != nil {
		rep.IPv4 = *ipv4
	}
	if ipv6 != nil {
		rep.IPv6 = *ipv6
	}
	want := desiredRecords(p.cfg.Zone, slug, network.Status(state), rep)
	sortRecords(current)
	b := &pgx.Batch{}
	b.Queue(`UPDATE networks SET last_seq = $2 WHERE id = $1`, id, seq)
	changed := !slices.Equal(want, current)
	if changed {
		types, names, contents, ttls := columns(want)
		b.Queue(`DELETE FROM desired WHERE network_id = $1`, id)
		b.Queue(`INSERT INTO desired (network_id, type, name, content, ttl)
			SELECT $1, t, n, c, l FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS u (t, n, c, l)`,
			id, types, names, contents, ttls)
	}
	if changed || force {
		b.Queue(`INSERT INTO dirty (network_id, seq) VALUES ($1, $2) ON CONFLICT (network_id) DO UPDATE SET seq = EXCLUDED.seq`, id, seq)
		b.Queue(`SELECT pg_notify($1, '')`, channel(p.name))
	}
	return tx.SendBatch(ctx, b).Close()
}

// columns splits records into the arrays of an unnest.
func columns(rs []record) (types, names, contents []string, ttls []int32) {
	for _, r := range rs {
		types = append(types, string(r.Type))
		names = append(names, r.Name)
		contents = append(contents, r.Content)
		ttls = append(ttls, int32(r.TTL))
	}
	return types, names, contents, ttls
}
