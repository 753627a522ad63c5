package report

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// Each block with an address inside (named as the most specific block
// that holds it) and one just outside; the attacker's three; IPv6 forms
// that embed a private, loopback or CGNAT IPv4 address; and public
// addresses, accepted. block is the block the error must name ("" for an
// accepted address), embeds the block of the embedded IPv4 address it
// must name too. The expectations are written out by hand, not derived
// from the tables, so that a mistyped prefix there shows here.
func TestPublicAddressBlocks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, block, embeds string }{
		// The attacker's.
		{"::127.0.0.1", "::/96", "127.0.0.0/8"},
		{"64:ff9b::a00:1", "64:ff9b::/96", "10.0.0.0/8"},
		{"192.88.99.1", "192.88.99.0/24", ""},

		// Public.
		{"1.1.1.1", "", ""},
		{"8.8.8.8", "", ""},
		{"81.2.69.142", "", ""},
		{"2606:4700:4700::1111", "", ""},
		{"2a00:1450:4001:82a::200e", "", ""},
		{"2001:4860:4860::8888", "", ""},

		// IPv4 Special-Purpose Address Registry.
		{"0.255.255.255", "0.0.0.0/8", ""},
		{"1.0.0.1", "", ""},
		{"0.0.0.0", "0.0.0.0/32", ""},
		{"0.0.0.1", "0.0.0.0/8", ""},
		{"10.255.255.255", "10.0.0.0/8", ""},
		{"9.255.255.255", "", ""},
		{"11.0.0.0", "", ""},
		{"100.64.0.0", "100.64.0.0/10", ""},
		{"100.127.255.255", "100.64.0.0/10", ""},
		{"100.63.255.255", "", ""},
		{"100.128.0.0", "", ""},
		{"127.0.0.1", "127.0.0.0/8", ""},
		{"127.255.255.255", "127.0.0.0/8", ""},
		{"126.255.255.255", "", ""},
		{"128.0.0.0", "", ""},
		{"169.254.0.0", "169.254.0.0/16", ""},
		{"169.253.255.255", "", ""},
		{"169.255.0.0", "", ""},
		{"172.31.255.255", "172.16.0.0/12", ""},
		{"172.15.255.255", "", ""},
		{"172.32.0.0", "", ""},
		{"192.0.0.255", "192.0.0.0/24", ""},
		{"191.255.255.255", "", ""},
		{"192.0.1.0", "", ""},
		{"192.0.0.0", "192.0.0.0/29", ""},
		{"192.0.0.7", "192.0.0.0/29", ""},
		{"192.0.0.8", "192.0.0.8/32", ""},
		{"192.0.0.9", "192.0.0.9/32", ""},
		{"192.0.0.10", "192.0.0.10/32", ""},
		{"192.0.0.11", "192.0.0.0/24", ""},
		{"192.0.0.169", "192.0.0.0/24", ""},
		{"192.0.0.170", "192.0.0.170/32", ""},
		{"192.0.0.171", "192.0.0.171/32", ""},
		{"192.0.0.172", "192.0.0.0/24", ""},
		{"192.0.2.255", "192.0.2.0/24", ""},
		{"192.0.3.0", "", ""},
		{"192.31.196.1", "192.31.196.0/24", ""},
		{"192.31.195.255", "", ""},
		{"192.31.197.0", "", ""},
		{"192.52.193.1", "192.52.193.0/24", ""},
		{"192.52.192.255", "", ""},
		{"192.52.194.0", "", ""},
		{"192.88.99.255", "192.88.99.0/24", ""},
		{"192.88.99.2", "192.88.99.2/32", ""},
		{"192.88.98.255", "", ""},
		{"192.88.100.0", "", ""},
		{"192.168.255.255", "192.168.0.0/16", ""},
		{"192.167.255.255", "", ""},
		{"192.169.0.0", "", ""},
		{"192.175.48.6", "192.175.48.0/24", ""},
		{"192.175.47.255", "", ""},
		{"192.175.49.0", "", ""},
		{"198.19.255.255", "198.18.0.0/15", ""},
		{"198.17.255.255", "", ""},
		{"198.20.0.0", "", ""},
		{"198.51.100.0", "198.51.100.0/24", ""},
		{"198.51.99.255", "", ""},
		{"198.51.101.0", "", ""},
		{"203.0.113.255", "203.0.113.0/24", ""},
		{"203.0.112.255", "", ""},
		{"203.0.114.0", "", ""},
		{"240.0.0.0", "240.0.0.0/4", ""},
		{"255.255.255.254", "240.0.0.0/4", ""},
		{"255.255.255.255", "255.255.255.255/32", ""},

		// Beyond it, IPv4.
		{"224.0.0.0", "224.0.0.0/4", ""},
		{"239.255.255.255", "224.0.0.0/4", ""},
		{"223.255.255.255", "", ""},

		// IPv6 Special-Purpose Address Registry.
		{"::", "::/128", ""},
		{"::1", "::1/128", ""},
		{"::ffff:8.8.8.8", "::ffff:0.0.0.0/96", ""},
		{"::ffff:10.0.0.1", "::ffff:0.0.0.0/96", "10.0.0.0/8"},
		{"::fffe:ffff:ffff", "::/3", ""},
		{"::1:0:0:0", "::/3", ""},
		{"64:ff9b::7f00:1", "64:ff9b::/96", "127.0.0.0/8"},
		{"64:ff9b::100.64.0.1", "64:ff9b::/96", "100.64.0.0/10"},
		{"64:ff9b::192.168.1.1", "64:ff9b::/96", "192.168.0.0/16"},
		{"64:ff9b::808:808", "64:ff9b::/96", ""}, // public IPv4, refused all the same
		{"64:ff9b::1:0:0", "::/3", ""},
		{"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "::/3", ""},
		{"64:ff9b:1::a00:1", "64:ff9b:1::/48", ""},
		{"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:1::/48", ""},
		{"64:ff9b:2::", "::/3", ""},
		{"100::1", "100::/64", ""},
		{"100:0:0:1::1", "100:0:0:1::/64", ""},
		{"100:0:0:2::", "::/3", ""},
		{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23", ""},
		{"2001:200::1", "", ""},
		{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", ""},
		{"2001::1", "2001::/32", "240.0.0.0/4"},                             // Teredo client ^0.0.0.1
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "2001::/32", "10.0.0.0/8"}, // Teredo client 10.0.0.1
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2001::/32", ""},           // Teredo client 8.8.8.8
		{"2001:1::", "2001::/23", ""},
		{"2001:1::1", "2001:1::1/128", ""},
		{"2001:1::2", "2001:1::2/128", ""},
		{"2001:1::3", "2001:1::3/128", ""},
		{"2001:1::4", "2001::/23", ""},
		{"2001:2::1", "2001:2::/48", ""},
		{"2001:2:0:ffff:ffff:ffff:ffff:ffff", "2001:2::/48", ""},
		{"2001:2:1::", "2001::/23", ""},
		{"2001:3::1", "2001:3::/32", ""},
		{"2001:4::", "2001::/23", ""},
		{"2001:4:112::1", "2001:4:112::/48", ""},
		{"2001:4:113::", "2001::/23", ""},
		{"2001:10::1", "2001:10::/28", ""},
		{"2001:1f:ffff::", "2001:10::/28", ""},
		{"2001:f:ffff::", "2001::/23", ""},
		{"2001:20::1", "2001:20::/28", ""},
		{"2001:2f:ffff::", "2001:20::/28", ""},
		{"2001:30::1", "2001:30::/28", ""},
		{"2001:3f:ffff:ffff::", "2001:30::/28", ""},
		{"2001:40::", "2001::/23", ""},
		{"2001:db8:ffff::1", "2001:db8::/32", ""},
		{"2001:db7:ffff::", "", ""},
		{"2001:db9::1", "", ""},
		{"2002::1", "2002::/16", "0.0.0.0/32"},
		{"2002:a00:1::1", "2002::/16", "10.0.0.0/8"}, // 6to4 of 10.0.0.1
		{"2002:808:808::1", "2002::/16", ""},
		{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", ""},
		{"2003::1", "", ""},
		{"2620:4f:8000::1", "2620:4f:8000::/48", ""},
		{"2620:4f:7fff:ffff::", "", ""},
		{"2620:4f:8001::", "", ""},
		{"3fff::1", "3fff::/20", ""},
		{"3fff:fff:ffff::1", "3fff::/20", ""},
		{"3fff:1000::", "", ""},
		{"3ffe:ffff::", "", ""},
		{"5f00::1", "5f00::/16", ""},
		{"5eff:ffff::", "4000::/2", ""},
		{"5f01::", "4000::/2", ""},
		{"fc00::", "fc00::/7", ""},
		{"fdff:ffff::1", "fc00::/7", ""},
		{"fbff:ffff::", "8000::/1", ""},
		{"fe00::", "8000::/1", ""},
		{"fe80::1", "fe80::/10", ""},
		{"febf:ffff::1", "fe80::/10", ""},

		// Beyond it, IPv6.
		{"::2", "::/96", "0.0.0.0/8"},
		{"::8.8.8.8", "::/96", ""},
		{"::10.0.0.1", "::/96", "10.0.0.0/8"},
		{"::100.64.0.1", "::/96", "100.64.0.0/10"},
		{"::255.255.255.255", "::/96", "255.255.255.255/32"},
		{"::1:0:0", "::/3", ""},
		{"fec0::1", "fec0::/10", ""},
		{"feff:ffff::", "fec0::/10", ""},
		{"ff00::", "ff00::/8", ""},
		{"ff02::1", "ff00::/8", ""},
		{"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/3", ""},
		{"2000::1", "", ""},
		{"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", ""},
		{"4000::", "4000::/2", ""},
		{"7fff:ffff::", "4000::/2", ""},
		{"8000::", "8000::/1", ""},
	} {
		a, err := ParsePublicAddress(tc.in)
		if tc.block == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		}
		if !errors.Is(err, ErrNotPublic) {
			t.Errorf("%s accepted as %s (%v)", tc.in, a, err)
			continue
		}
		// "…: 192.88.99.1 is in 192.88.99.0/24 (deprecated 6to4 relay anycast)"
		msg := err.Error()
		want := ErrNotPublic.Error() + ": " + netip.MustParseAddr(tc.in).String() + " is in " + tc.block + " ("
		if !strings.HasPrefix(msg, want) {
			t.Errorf("%s: %q, want it to start with %q", tc.in, msg, want)
		}
		switch embeds := " and embeds "; {
		case tc.embeds == "" && strings.Contains(msg, embeds):
			t.Errorf("%s: %q names an embedded address", tc.in, msg)
		case tc.embeds != "" && !strings.Contains(msg, ", which is in "+tc.embeds+" ("):
			t.Errorf("%s: %q, want the embedded address in %s", tc.in, msg, tc.embeds)
		}
	}
}

// Every block is canonical, sourced, refuses its first and last address
// as its own (or as a block within it), and does not reach beyond them.
func TestRegistries(t *testing.T) {
	t.Parallel()
	columns := map[string][]string{ipv4Special.name: {"False", "True", "N/A"}, ipv6Special.name: {"False", "True", "N/A"}, beyondRegistries.name: {""}}
	for _, r := range registries {
		if r.name == "" || r.version == "" || len(r.blocks) == 0 {
			t.Errorf("registry %q (%s) without name, version or blocks", r.name, r.version)
		}
		for _, b := range r.blocks {
			if b.prefix != b.prefix.Masked() || b.name == "" || !strings.HasPrefix(b.rfc, "RFC ") {
				t.Errorf("%s: not canonical, or without a name or RFC: %+v", b, b)
			}
			if !slices.Contains(columns[r.name], b.global) {
				t.Errorf("%s: Globally Reachable %q, want one of %q", b, b.global, columns[r.name])
			}
			first, last := b.prefix.Addr(), lastOf(b.prefix)
			for _, a := range []netip.Addr{first, last} {
				if got, ok := special(a); !ok || !b.prefix.Overlaps(got.prefix) || got.prefix.Bits() < b.prefix.Bits() {
					t.Errorf("%s: %s is in %s", b, a, got)
				}
			}
			for _, a := range []netip.Addr{first.Prev(), last.Next()} {
				if got, ok := special(a); a.IsValid() && ok && got.prefix == b.prefix {
					t.Errorf("%s: %s, outside it, is in it", b, a)
				}
			}
		}
	}
}

// lastOf is the last address of p.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// mustRefuse are the blocks no accepted address may be in, written out
// apart from the tables: the IPv4-embedding forms first (rule 2: IPv4-
// compatible, IPv4-mapped, NAT64, local-use NAT64, 6to4, Teredo), then
// what netip's predicates do not name.
var mustRefuse = []netip.Prefix{
	p("::/96"), p("::ffff:0:0/96"), p("64:ff9b::/96"), p("64:ff9b:1::/48"), p("2002::/16"), p("2001::/32"),
	p("0.0.0.0/8"), p("100.64.0.0/10"), p("192.0.0.0/24"), p("192.0.2.0/24"), p("192.31.196.0/24"),
	p("192.52.193.0/24"), p("192.88.99.0/24"), p("192.175.48.0/24"), p("198.18.0.0/15"),
	p("198.51.100.0/24"), p("203.0.113.0/24"), p("240.0.0.0/4"), p("100::/63"), p("2001::/23"),
	p("2001:db8::/32"), p("2620:4f:8000::/48"), p("3fff::/20"), p("5f00::/16"), p("fec0::/10"),
}

// What ParsePublicAddress accepts is an address that reads back as itself,
// in no block of the tables nor of mustRefuse, and none of what netip
// knows to be loopback, private, link-local, multicast or unspecified;
// an IPv6 address is global unicast (2000::/3) and embeds no IPv4
// address. What it refuses is ErrNotPublic.
//
// (FuzzParsePublicAddress in dns_test.go is the older, weaker fuzz test of
// the same function: -fuzz takes one at a time.)
func FuzzPublicAddress(f *testing.F) {
	for _, s := range []string{
		"81.2.69.142", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e",
		"::127.0.0.1", "::7f00:1", "::10.0.0.1", "::100.64.0.1", "::8.8.8.8", "::2",
		"64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b::100.64.0.1", "64:ff9b::8.8.8.8", "64:ff9b:1::a00:1",
		"::ffff:10.0.0.1", "::ffff:8.8.8.8", "2002:a00:1::1", "2002:808:808::1",
		"2001:0:4136:e378:8000:63bf:f5ff:fffe", "2001:1::1", "2001:1::4", "2001:4:112::1", "2001:20::1", "2001:30::1",
		"192.88.99.1", "192.88.99.2", "192.0.0.9", "192.0.0.10", "192.31.196.1", "192.52.193.1", "192.175.48.1",
		"2620:4f:8000::1", "2620:4f:8001::", "3fff::1", "3fff:1000::", "5f00::1", "100:0:0:1::1", "fec0::1",
		"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2000::", "4000::", "255.255.255.255", "224.0.0.1", "240.0.0.1",
		"10.0.0.1", "::1", "::", "fe80::1%eth0", "1.2.3.4%x", "01.2.3.4", "1.2.3.4/32", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParsePublicAddress(s)
		if err != nil {
			if !errors.Is(err, ErrNotPublic) {
				t.Fatalf("%q: %v, not ErrNotPublic", s, err)
			}
			return
		}
		if again, perr := netip.ParseAddr(a.String()); perr != nil || again != a || netip.MustParseAddr(s) != a {
			t.Fatalf("%q accepted as %s, which reads back as %s (%v)", s, a, again, perr)
		}
		if b, ok := special(a); ok {
			t.Fatalf("%q accepted, but it is in %s", s, b)
		}
		for _, r := range registries {
			for _, b := range r.blocks {
				if b.prefix.Contains(a) {
					t.Fatalf("%q accepted, but it is in %s", s, b)
				}
			}
		}
		for _, pre := range mustRefuse {
			if pre.Contains(a) {
				t.Fatalf("%q accepted, but it is in %s", s, pre)
			}
		}
		if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsMulticast() || a.IsUnspecified() ||
			a.IsLinkLocalUnicast() || a.Is4In6() || a.Zone() != "" || (a.Is6() && !p("2000::/3").Contains(a)) {
			t.Fatalf("%q accepted as %s", s, a)
		}
	})
}
