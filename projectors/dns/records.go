package dns

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// TTLs of the records (contract §2.4).
const (
	AddressTTL   = 120
	ChallengeTTL = 60
)

// challengeLabel is the label under a network's name that carries its ACME
// DNS-01 challenge.
const challengeLabel = "_acme-challenge"

// wildcardPrefix begins the name under a network's name that points at the
// region's edge: *.<slug>.<parent>.
const wildcardPrefix = "*."

// record is one record a network should publish. Names are fully qualified
// and lower case.
type record struct {
	Type    zone.RecordType `json:"type"`
	Name    string          `json:"name"`
	Content string          `json:"content"`
	TTL     int             `json:"ttl"`
}

// spec is what the record says in the zone: never proxied.
func (r record) spec() zone.RecordSpec {
	return zone.RecordSpec{Type: r.Type, Name: r.Name, Content: r.Content, TTL: r.TTL}
}

// reported is what a network's daemon and acme-dns accounts last reported.
type reported struct {
	IPv4, IPv6 string
	// Challenge is the daemon's challenge values, Accounts those of every
	// live acme-dns account of the network: all of them are published.
	Challenge, Accounts []string
}

// addressName is <slug>.<parent>; challengeName is
// _acme-challenge.<slug>.<parent>; wildcardName is *.<slug>.<parent>,
// parent being Config.Zone.
func addressName(slug, parent string) string   { return slug + "." + parent }
func challengeName(slug, parent string) string { return challengeLabel + "." + slug + "." + parent }
func wildcardName(slug, parent string) string  { return wildcardPrefix + slug + "." + parent }

// isWildcard reports whether name is a wildcard name (*.<something>).
func isWildcard(name string) bool { return strings.HasPrefix(name, wildcardPrefix) }

// publishes reports whether a network in state publishes records at all:
// from its registration until it starts deprovisioning.
func publishes(state network.Status) bool {
	return state == network.StatusProvisioning || state == network.StatusActive
}

// desiredRecords is what a network in state should publish of its own:
// its addresses and challenge values (the daemon's and its accounts', once
// each), or nothing once it is on its way out. These are the records the
// projection keeps; the reconciler adds the edge records (withEdge).
// Records come sorted (sortRecords).
func desiredRecords(parent, slug string, state network.Status, rep reported) []record {
	if !publishes(state) {
		return nil
	}
	var out []record
	if a, err := netip.ParseAddr(rep.IPv4); err == nil && a.Is4() {
		out = append(out, record{Type: zone.TypeA, Name: addressName(slug, parent), Content: a.String(), TTL: AddressTTL})
	}
	if a, err := netip.ParseAddr(rep.IPv6); err == nil && a.Is6() && !a.Is4In6() {
		out = append(out, record{Type: zone.TypeAAAA, Name: addressName(slug, parent), Content: a.String(), TTL: AddressTTL})
	}
	for _, v := range uniqueValues(slices.Concat(rep.Challenge, rep.Accounts)) {
		out = append(out, record{Type: zone.TypeTXT, Name: challengeName(slug, parent), Content: v, TTL: ChallengeTTL})
	}
	sortRecords(out)
	return out
}

// edgeRecords is what a network in state publishes toward the region's
// edge nodes: A (IPv4) and AAAA (IPv6) *.<slug>.<parent> for every edge
// address, TTL AddressTTL, while the network publishes records at all, so
// that names under its own reach the tunnel while <slug>.<parent> keeps
// its daemon's address. edges come from the configuration, not the log:
// they are added when the reconciler reads a network (withEdge), never
// kept with the projection's desired records.
func edgeRecords(parent, slug string, state network.Status, edges []netip.Addr) []record {
	if !publishes(state) || len(edges) == 0 {
		return nil
	}
	out := make([]record, 0, len(edges))
	for _, a := range edges {
		typ := zone.TypeA
		if !a.Is4() {
			typ = zone.TypeAAAA
		}
		out = append(out, record{Type: typ, Name: wildcardName(slug, parent), Content: a.String(), TTL: AddressTTL})
	}
	sortRecords(out)
	return slices.Compact(out)
}

// withEdge is everything a network in state should publish: own (its
// records as the projection keeps them, desiredRecords) and its edge
// records, sorted.
func withEdge(own []record, parent, slug string, state network.Status, edges []netip.Addr) []record {
	out := slices.Concat(own, edgeRecords(parent, slug, state, edges))
	sortRecords(out)
	return out
}

// uniqueValues is the challenge's non-empty values, sorted, once each.
func uniqueValues(vs []string) []string {
	out := slices.DeleteFunc(slices.Clone(vs), func(v string) bool { return v == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

func sortRecords(rs []record) {
	slices.SortFunc(rs, func(a, b record) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.Content, b.Content)
	})
}

// normalizeContent makes contents comparable: addresses in their canonical
// form, TXT values without the quotes Cloudflare may add around them.
func normalizeContent(typ zone.RecordType, content string) string {
	switch typ {
	case zone.TypeA, zone.TypeAAAA:
		if a, err := netip.ParseAddr(content); err == nil {
			return a.String()
		}
	case zone.TypeTXT:
		if len(content) >= 2 && content[0] == '"' && content[len(content)-1] == '"' {
			return content[1 : len(content)-1]
		}
	}
	return content
}

// managedSlug says whether a record is one a network of some slug would
// own: A or AAAA at <slug>.<parent> or *.<slug>.<parent>, or TXT at
// _acme-challenge.<slug>.<parent>, where slug is a name a network may have.
// It returns the slug.
func managedSlug(parent string, typ zone.RecordType, name string) (string, bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	rest, ok := strings.CutSuffix(name, "."+parent)
	if !ok {
		return "", false
	}
	switch typ {
	case zone.TypeA, zone.TypeAAAA:
		rest = strings.TrimPrefix(rest, wildcardPrefix)
	case zone.TypeTXT:
		if rest, ok = strings.CutPrefix(rest, challengeLabel+"."); !ok {
			return "", false
		}
	default:
		return "", false
	}
	if _, err := naming.ParseSlug(rest); err != nil {
		return "", false
	}
	return rest, true
}

// owns says whether a record of a network with slug is at one of its
// names with the type that name carries.
func owns(parent, slug string, typ zone.RecordType, name string) bool {
	s, ok := managedSlug(parent, typ, name)
	return ok && s == slug
}

// sameRecords reports whether actual says exactly what desired says: the
// same records, once each, with the same TTL and not proxied.
func sameRecords(desired []record, actual []zone.Record) bool {
	if len(desired) != len(actual) {
		return false
	}
	want := make(map[record]int, len(desired))
	for _, d := range desired {
		want[d]++
	}
	for _, a := range actual {
		if a.Proxied {
			return false
		}
		k := record{Type: a.Type, Name: strings.ToLower(a.Name), Content: normalizeContent(a.Type, a.Content), TTL: a.TTL}
		if want[k] == 0 {
			return false
		}
		want[k]--
	}
	return true
}
