package dns

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// Config names what a region's DNS projection serves.
type Config struct {
	// Region is the region whose networks it publishes.
	Region naming.Region
	// Zone is the parent of every network's name, e.g.
	// "my.wardnet.services" for home.my.wardnet.services. It is a name
	// inside the Cloudflare zone the client manages (or that zone itself).
	Zone string
	// EdgeAddresses are the public addresses of the region's edge nodes,
	// IPv4 and IPv6: every network that publishes records also publishes
	// A and AAAA *.<slug>.<zone> toward them (edgeRecords). None (the
	// default) publishes no such record. Every replica of a region must
	// have the same list: it is configuration, not the log, so a replica
	// with another list would undo the active one's records. A changed
	// list is published by the next drift check (see DriftCheck).
	EdgeAddresses []netip.Addr
}

// normalized returns cfg with the zone lower case and without a final dot,
// and the edge addresses sorted, once each (a copy).
func (c Config) normalized() Config {
	c.Zone = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(c.Zone), "."))
	if len(c.EdgeAddresses) > 0 {
		c.EdgeAddresses = slices.Clone(c.EdgeAddresses)
		slices.SortFunc(c.EdgeAddresses, netip.Addr.Compare)
		c.EdgeAddresses = slices.Compact(c.EdgeAddresses)
	}
	return c
}

// validate reports whether cfg is usable.
func (c Config) validate() error {
	if c.Region == "" {
		return fmt.Errorf("dns: no region")
	}
	if _, err := naming.ParseRegions(string(c.Region)); err != nil {
		return fmt.Errorf("dns: region: %w", err)
	}
	if c.Zone == "" || strings.ContainsAny(c.Zone, " /_*") || strings.Contains(c.Zone, "..") || strings.HasPrefix(c.Zone, ".") {
		return fmt.Errorf("dns: zone %q is not a domain name", c.Zone)
	}
	for _, a := range c.EdgeAddresses {
		// Whether it is public is the configuration's to check.
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			return fmt.Errorf("dns: edge address %s is not an IPv4 or IPv6 address", a)
		}
	}
	return nil
}

// ProjectionName is the name of region's DNS projection: dns_<region> with
// '-' replaced by '_'. Its tables live in schema proj_dns_<region>.
func ProjectionName(region naming.Region) string {
	return "dns_" + strings.ReplaceAll(string(region), "-", "_")
}

// Projection is one region's desired DNS records (see the package comment).
type Projection struct {
	cfg  Config
	name string
}

var _ projectors.Projection = (*Projection)(nil)

// NewProjection returns the DNS projection of cfg.Region. The projector
// runtime rejects its name if the region is empty or holds "--".
func NewProjection(cfg Config) *Projection {
	cfg = cfg.normalized()
	return &Projection{cfg: cfg, name: ProjectionName(cfg.Region)}
}

// Name implements projectors.Projection.
func (p *Projection) Name() string { return p.name }

// Subjects implements projectors.Projection: every event. The projection
// reads network.* and dns.* only, but a consumer with several filter
// subjects costs nats-server work per delivery that grows with the number
// of subjects in the stream (one per aggregate), which made catching up
// quadratic (docs/benchmarks.md, DDNS). With no filter the other events
// arrive as events.Unknown and are skipped.
func (p *Projection) Subjects() []string { return nil }

// channel is the Postgres notification channel Apply signals when it marks
// a network dirty.
func channel(name string) string { return name + "_dirty" }

// accountsTable is the challenge values of each acme-dns account, for any
// network id, and the revoked credentials (whose values are published no
// more). Setup creates it, and Migrate in a schema an earlier build set up.
const accountsTable = `
		CREATE TABLE IF NOT EXISTS accounts (
			network_id    text    NOT NULL,
			credential_id text    NOT NULL,
			challenge     text[]  NOT NULL DEFAULT '{}',
			revoked       boolean NOT NULL DEFAULT false,
			PRIMARY KEY (network_id, credential_id)
		);`

// Migrate implements projectors.Migrator: a projection an earlier build
// set up gets the accounts table, empty, and goes on where it is. (The
// values acme-dns accounts set before are in the daemon's challenge, as
// the events of that time say.)
func (p *Projection) Migrate(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, accountsTable); err != nil {
		return fmt.Errorf("%s migrate: %w", p.name, err)
	}
	return nil
}

// Setup implements projectors.Projection.
func (p *Projection) Setup(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
		-- The networks of this region until they are deprovisioned.
		CREATE TABLE networks (
			id        text   PRIMARY KEY,
			tenant_id text   NOT NULL,
			slug      text   NOT NULL,
			state     text   NOT NULL,
			last_seq  bigint NOT NULL -- the last event of the network or its reports
		);
		CREATE INDEX networks_slug ON networks (slug);
		-- Networks of other regions: their names are never orphans here.
		CREATE TABLE elsewhere (
			id     text PRIMARY KEY,
			slug   text NOT NULL,
			region text NOT NULL
		);
		CREATE INDEX elsewhere_slug ON elsewhere (slug);
		-- What each network's daemon last reported, for any network id.
		CREATE TABLE reports (
			network_id text   PRIMARY KEY,
			ipv4       text,
			ipv6       text,
			challenge  text[] NOT NULL DEFAULT '{}', -- the daemon's values
			last_seq   bigint NOT NULL
		);
		`+accountsTable+`
		CREATE TABLE desired (
			network_id text    NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
			type       text    NOT NULL,
			name       text    NOT NULL,
			content    text    NOT NULL,
			ttl        integer NOT NULL,
			PRIMARY KEY (network_id, type, content)
		);
		-- A network whose records Cloudflare may not match; seq is the
		-- event that set the mark (or the network's last event, for a
		-- mark the drift check set). The reconciler clears it only at the
		-- seq it reconciled.
		CREATE TABLE dirty (
			network_id text   PRIMARY KEY REFERENCES networks (id) ON DELETE CASCADE,
			seq        bigint NOT NULL
		);
		CREATE INDEX dirty_seq ON dirty (seq, network_id);`)
	if err != nil {
		return fmt.Errorf("%s setup: %w", p.name, err)
	}
	return nil
}
