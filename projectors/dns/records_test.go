package dns

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

const parent = "my.example.net" // Config.Zone

func a(content string) record {
	return record{Type: zone.TypeA, Name: "home." + parent, Content: content, TTL: AddressTTL}
}

func aaaa(content string) record {
	return record{Type: zone.TypeAAAA, Name: "home." + parent, Content: content, TTL: AddressTTL}
}

func txt(content string) record {
	return record{Type: zone.TypeTXT, Name: "_acme-challenge.home." + parent, Content: content, TTL: ChallengeTTL}
}

func TestDesiredRecords(t *testing.T) {
	t.Parallel()
	full := reported{IPv4: "203.0.113.7", IPv6: "2001:db8:0:0::1", Challenge: []string{"v2", "v1", "v2", ""}, Accounts: []string{"v3"}}
	for _, tc := range []struct {
		name  string
		state network.Status
		rep   reported
		want  []record
	}{
		{"nothing reported", network.StatusProvisioning, reported{}, nil},
		{"IPv4", network.StatusProvisioning, reported{IPv4: "203.0.113.7"}, []record{a("203.0.113.7")}},
		{"everything, sorted, once each, canonical", network.StatusActive, full,
			[]record{txt("v1"), txt("v2"), txt("v3"), a("203.0.113.7"), aaaa("2001:db8::1")}},
		{"challenge only", network.StatusActive, reported{Challenge: []string{"x"}}, []record{txt("x")}},
		{"the accounts' values beside the daemon's, once each", network.StatusActive,
			reported{Challenge: []string{"d", "shared"}, Accounts: []string{"a2", "shared", "a1", "a2"}},
			[]record{txt("a1"), txt("a2"), txt("d"), txt("shared")}},
		{"the accounts' values alone", network.StatusProvisioning, reported{Accounts: []string{"a"}}, []record{txt("a")}},
		{"an address of the wrong family is ignored", network.StatusActive, reported{IPv4: "2001:db8::1", IPv6: "203.0.113.7"}, nil},
		{"deprovisioning publishes nothing", network.StatusDeprovisioning, full, nil},
		{"deprovisioned publishes nothing", network.StatusDeprovisioned, full, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := desiredRecords(parent, "home", tc.state, tc.rep); !slices.Equal(got, tc.want) {
				t.Fatalf("desired = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func wild(content string) record {
	typ := zone.TypeA
	if netip.MustParseAddr(content).Is6() {
		typ = zone.TypeAAAA
	}
	return record{Type: typ, Name: "*.home." + parent, Content: content, TTL: AddressTTL}
}

// The edge records a network publishes beside its own: A and AAAA at its
// wildcard name for every edge address, while it publishes at all; its
// own name keeps the daemon's address and its challenge is unchanged.
func TestEdgeRecords(t *testing.T) {
	t.Parallel()
	rep := reported{IPv4: "203.0.113.7", Challenge: []string{"v1"}}
	own := func(state network.Status) []record { return desiredRecords(parent, "home", state, rep) }
	for _, tc := range []struct {
		name  string
		state network.Status
		edges []string
		want  []record
	}{
		{"none", network.StatusActive, nil, []record{txt("v1"), a("203.0.113.7")}},
		{"IPv4 only", network.StatusActive, []string{"192.0.2.2", "192.0.2.1"},
			[]record{wild("192.0.2.1"), wild("192.0.2.2"), txt("v1"), a("203.0.113.7")}},
		{"IPv6 only", network.StatusProvisioning, []string{"2001:db8::e"},
			[]record{wild("2001:db8::e"), txt("v1"), a("203.0.113.7")}},
		{"both", network.StatusActive, []string{"2001:db8::e", "192.0.2.1"},
			[]record{wild("192.0.2.1"), wild("2001:db8::e"), txt("v1"), a("203.0.113.7")}},
		{"an edge address the daemon reported too", network.StatusActive, []string{"203.0.113.7"},
			[]record{wild("203.0.113.7"), txt("v1"), a("203.0.113.7")}},
		{"once each", network.StatusActive, []string{"192.0.2.1", "192.0.2.1"},
			[]record{wild("192.0.2.1"), txt("v1"), a("203.0.113.7")}},
		{"deprovisioning publishes nothing", network.StatusDeprovisioning, []string{"192.0.2.1", "2001:db8::e"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var edges []netip.Addr
			for _, e := range tc.edges {
				edges = append(edges, netip.MustParseAddr(e))
			}
			if got := withEdge(own(tc.state), parent, "home", tc.state, edges); !slices.Equal(got, tc.want) {
				t.Fatalf("desired = %+v, want %+v", got, tc.want)
			}
		})
	}
	// A network that reported nothing publishes its edge records alone.
	want := []record{wild("192.0.2.1")}
	edges := []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	if got := withEdge(nil, parent, "home", network.StatusProvisioning, edges); !slices.Equal(got, want) {
		t.Fatalf("nothing reported: %+v, want %+v", got, want)
	}
	if publishesAddress(want, "home."+parent) {
		t.Fatal("an edge record taken for the network's own address")
	}
	if !publishesAddress(withEdge([]record{a("203.0.113.7")}, parent, "home", network.StatusProvisioning, edges), "home."+parent) {
		t.Fatal("the network's own address not seen")
	}
}

func TestManagedSlug(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ  zone.RecordType
		name string
		slug string // "" when not managed
	}{
		{zone.TypeA, "home." + parent, "home"},
		{zone.TypeAAAA, "HOME." + parent + ".", "home"},
		{zone.TypeTXT, "_acme-challenge.home." + parent, "home"},
		{zone.TypeTXT, "home." + parent, ""},                 // TXT at the address name: not ours
		{zone.TypeA, "_acme-challenge.home." + parent, ""},   // A at the challenge name
		{zone.TypeA, "a.home." + parent, ""},                 // deeper names
		{zone.TypeA, parent, ""},                             // the parent itself
		{zone.TypeA, "www." + parent, ""},                    // reserved: never a network's
		{zone.TypeA, "ab." + parent, ""},                     // too short for a slug
		{zone.TypeA, "home.example.net", ""},                 // outside the parent
		{zone.TypeA, "home.xmy.example.net", ""},             // a suffix that is not a label boundary
		{zone.RecordType("CNAME"), "home." + parent, ""},     // other types
		{zone.TypeTXT, "_acme-challenge.-bad." + parent, ""}, // not a slug
		{zone.TypeTXT, "_acme-challenge." + parent, ""},      // no slug
		{zone.TypeA, "my-net-01." + parent, "my-net-01"},     // hyphens and digits
		{zone.TypeA, "*.home." + parent, "home"},             // the edge records
		{zone.TypeAAAA, "*.HOME." + parent + ".", "home"},
		{zone.TypeTXT, "*.home." + parent, ""},                 // TXT at the wildcard name
		{zone.TypeA, "*.*.home." + parent, ""},                 // two wildcard labels
		{zone.TypeA, "*." + parent, ""},                        // the parent's wildcard
		{zone.TypeA, "*.www." + parent, ""},                    // reserved
		{zone.TypeTXT, "_acme-challenge.*.home." + parent, ""}, // not a slug
		{zone.TypeA, "x.*.home." + parent, ""},                 // a wildcard label inside
	} {
		got, ok := managedSlug(parent, tc.typ, tc.name)
		if ok != (tc.slug != "") || got != tc.slug {
			t.Errorf("managedSlug(%s %s) = %q, %v; want %q", tc.typ, tc.name, got, ok, tc.slug)
		}
	}
}

func cf(id string, r record) zone.Record {
	return zone.Record{ID: id, RecordSpec: r.spec()}
}

func TestSameRecords(t *testing.T) {
	t.Parallel()
	want := []record{a("203.0.113.7"), txt("v1")}
	proxied := cf("1", a("203.0.113.7"))
	proxied.Proxied = true
	quoted := cf("2", txt("v1"))
	quoted.Content = `"v1"`
	longTTL := cf("1", a("203.0.113.7"))
	longTTL.TTL = 3600
	for _, tc := range []struct {
		name   string
		actual []zone.Record
		same   bool
	}{
		{"equal", []zone.Record{cf("2", txt("v1")), cf("1", a("203.0.113.7"))}, true},
		{"TXT in quotes", []zone.Record{cf("1", a("203.0.113.7")), quoted}, true},
		{"missing", []zone.Record{cf("1", a("203.0.113.7"))}, false},
		{"duplicate", []zone.Record{cf("1", a("203.0.113.7")), cf("2", txt("v1")), cf("3", txt("v1"))}, false},
		{"edited", []zone.Record{cf("1", a("198.51.100.1")), cf("2", txt("v1"))}, false},
		{"proxied", []zone.Record{proxied, cf("2", txt("v1"))}, false},
		{"TTL", []zone.Record{longTTL, cf("2", txt("v1"))}, false},
	} {
		if got := sameRecords(want, tc.actual); got != tc.same {
			t.Errorf("%s: sameRecords = %v", tc.name, got)
		}
	}
	if !sameRecords(nil, nil) {
		t.Error("nothing wanted and nothing there should be the same")
	}
}

// render shows a plan in a stable form: keep/update/create/delete lines.
func render(p plan) []string {
	var out []string
	for _, k := range p.keep {
		out = append(out, fmt.Sprintf("keep %s %s %s", k.id, k.rec.Type, k.rec.Content))
	}
	for _, u := range p.updates {
		out = append(out, fmt.Sprintf("update %s %s %s", u.id, u.rec.Type, u.rec.Content))
	}
	for _, c := range p.creates {
		out = append(out, fmt.Sprintf("create %s %s", c.Type, c.Content))
	}
	for _, d := range p.deletes {
		out = append(out, "delete "+d)
	}
	return out
}

func TestPlanFor(t *testing.T) {
	t.Parallel()
	edited := cf("e", a("203.0.113.7"))
	edited.TTL, edited.Proxied = 1, true
	for _, tc := range []struct {
		name    string
		desired []record
		actual  []zone.Record
		owned   []string
		want    []string
	}{
		{"create what is missing", []record{a("203.0.113.7"), txt("v1")}, nil, nil,
			[]string{"create TXT v1", "create A 203.0.113.7"}},
		{"adopt a record that says it already", []record{a("203.0.113.7")}, []zone.Record{cf("h", a("203.0.113.7"))}, nil,
			[]string{"keep h A 203.0.113.7"}},
		{"a new address updates the same record", []record{a("198.51.100.9")}, []zone.Record{cf("h", a("203.0.113.7"))}, []string{"h"},
			[]string{"update h A 198.51.100.9"}},
		{"settings edited by hand are rewritten", []record{a("203.0.113.7")}, []zone.Record{edited}, nil,
			[]string{"update e A 203.0.113.7"}},
		{"duplicates: keep ours, delete the rest", []record{a("203.0.113.7")},
			[]zone.Record{cf("1", a("203.0.113.7")), cf("2", a("203.0.113.7")), cf("3", a("203.0.113.7"))}, []string{"2"},
			[]string{"keep 2 A 203.0.113.7", "delete 1", "delete 3"}},
		{"duplicates: the one with right settings wins over ours", []record{a("203.0.113.7")},
			[]zone.Record{edited, cf("z", a("203.0.113.7"))}, []string{"e"},
			[]string{"keep z A 203.0.113.7", "delete e"}},
		{"an extra is rewritten before anything is created", []record{txt("v1"), txt("v2")},
			[]zone.Record{cf("1", txt("v1")), cf("2", txt("v1")), cf("3", txt("old"))}, nil,
			[]string{"keep 1 TXT v1", "update 2 TXT v2", "delete 3"}},
		{"TXT in quotes is the same value", []record{txt("v1")}, []zone.Record{cf("1", record{Type: zone.TypeTXT, Name: "_acme-challenge.home." + parent, Content: `"v1"`, TTL: 60})}, nil,
			[]string{"keep 1 TXT v1"}},
		{"nothing desired deletes everything", nil,
			[]zone.Record{cf("1", a("203.0.113.7")), cf("2", aaaa("2001:db8::1")), cf("3", txt("v1"))}, nil,
			[]string{"delete 3", "delete 1", "delete 2"}}, // by name, then type
		{"an address of another family is not reused", []record{aaaa("2001:db8::1")}, []zone.Record{cf("1", a("203.0.113.7"))}, nil,
			[]string{"create AAAA 2001:db8::1", "delete 1"}},
		{"the edge record and the own one apart, even with one address", []record{a("203.0.113.7"), wild("203.0.113.7")},
			[]zone.Record{cf("1", a("203.0.113.7"))}, []string{"1"},
			[]string{"keep 1 A 203.0.113.7", "create A 203.0.113.7"}},
		{"an edge address replaced is an update, one removed a delete", []record{a("203.0.113.7"), wild("192.0.2.9")},
			[]zone.Record{cf("1", a("203.0.113.7")), cf("2", wild("192.0.2.1")), cf("3", wild("2001:db8::e"))}, []string{"1", "2", "3"},
			[]string{"keep 1 A 203.0.113.7", "update 2 A 192.0.2.9", "delete 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owned := map[string]bool{}
			for _, id := range tc.owned {
				owned[id] = true
			}
			if got := render(planFor(tc.desired, tc.actual, owned)); !slices.Equal(got, tc.want) {
				t.Fatalf("plan:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}
