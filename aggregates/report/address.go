package report

import (
	"fmt"
	"net/netip"
	"strings"
)

// registry is one list of blocks and where it was transcribed from, so
// that the next reader can diff it against a newer version.
type registry struct {
	name    string
	version string
	blocks  []block
}

// block is a special-purpose address block.
type block struct {
	prefix netip.Prefix
	name   string // the registry's name for it, as errors show it
	rfc    string // the RFC that assigned it
	// global is the registry's "Globally Reachable" column: "False",
	// "True" or "N/A"; "" for a block that is not in the registry.
	global string
}

// String is how errors name the block: "192.88.99.0/24 (deprecated 6to4
// relay anycast)".
func (b block) String() string { return fmt.Sprintf("%s (%s)", b.prefix, b.name) }

// registries are the blocks no public address is in. A public address,
// for us, is one a DNS A or AAAA record for a home network may point at:
// stricter than the registries' "Globally Reachable", so every block is
// refused whatever that column says; where it says True or N/A, a comment
// says why. The special-purpose registries (created by RFC 6890, their
// columns as RFC 8190 left them) were transcribed from the RFCs that
// assign their blocks, without network access, as published in 2025.
//
// Blocks are looked up by longest match, so that an error names the most
// specific one (192.0.0.9 is "port control protocol anycast", not "IETF
// protocol assignments") and the order of the tables does not matter.
var registries = []registry{ipv4Special, ipv6Special, beyondRegistries}

var ipv4Special = registry{
	name:    "IANA IPv4 Special-Purpose Address Registry (https://www.iana.org/assignments/iana-ipv4-special-registry/)",
	version: "as published in 2025",
	blocks: []block{
		{p("0.0.0.0/8"), `"this network"`, "RFC 791 §3.2", "False"},
		{p("0.0.0.0/32"), `"this host on this network"`, "RFC 1122 §3.2.1.3", "False"},
		{p("10.0.0.0/8"), "private-use", "RFC 1918", "False"},
		{p("100.64.0.0/10"), "shared address space", "RFC 6598", "False"},
		{p("127.0.0.0/8"), "loopback", "RFC 1122 §3.2.1.3", "False"},
		{p("169.254.0.0/16"), "link local", "RFC 3927", "False"},
		{p("172.16.0.0/12"), "private-use", "RFC 1918", "False"},
		{p("192.0.0.0/24"), "IETF protocol assignments", "RFC 6890 §2.1", "False"},
		{p("192.0.0.0/29"), "IPv4 service continuity prefix", "RFC 7335", "False"},
		{p("192.0.0.8/32"), "IPv4 dummy address", "RFC 7600", "False"},
		// True, but an anycast service address (PCP servers), nobody's home
		// network.
		{p("192.0.0.9/32"), "port control protocol anycast", "RFC 7723", "True"},
		// True, but an anycast service address (TURN servers).
		{p("192.0.0.10/32"), "traversal using relays around NAT anycast", "RFC 8155", "True"},
		{p("192.0.0.170/32"), "NAT64/DNS64 discovery", "RFC 8880, RFC 7050 §2.2", "False"},
		{p("192.0.0.171/32"), "NAT64/DNS64 discovery", "RFC 8880, RFC 7050 §2.2", "False"},
		{p("192.0.2.0/24"), "documentation (TEST-NET-1)", "RFC 5737", "False"},
		// True, but the anycast sinks of AS112 (reverse zones of private
		// addresses), nobody's home network.
		{p("192.31.196.0/24"), "AS112-v4", "RFC 7535", "True"},
		// True, but the anycast address of AMT relays.
		{p("192.52.193.0/24"), "AMT", "RFC 7450", "True"},
		// Terminated in 2015 (its columns are N/A): the 6to4 relays' anycast,
		// deprecated, and never a home network.
		{p("192.88.99.0/24"), "deprecated 6to4 relay anycast", "RFC 7526", "N/A"},
		{p("192.88.99.2/32"), "6a44-relay anycast address", "RFC 6751", "False"},
		{p("192.168.0.0/16"), "private-use", "RFC 1918", "False"},
		// True, but the anycast sinks of AS112 by direct delegation.
		{p("192.175.48.0/24"), "direct delegation AS112 service", "RFC 7534", "True"},
		{p("198.18.0.0/15"), "benchmarking", "RFC 2544", "False"},
		{p("198.51.100.0/24"), "documentation (TEST-NET-2)", "RFC 5737", "False"},
		{p("203.0.113.0/24"), "documentation (TEST-NET-3)", "RFC 5737", "False"},
		{p("240.0.0.0/4"), "reserved", "RFC 1112 §4", "False"},
		{p("255.255.255.255/32"), "limited broadcast", "RFC 8190, RFC 919 §7", "False"},
	},
}

var ipv6Special = registry{
	name:    "IANA IPv6 Special-Purpose Address Registry (https://www.iana.org/assignments/iana-ipv6-special-registry/)",
	version: "as published in 2025",
	blocks: []block{
		{p("::1/128"), "loopback address", "RFC 4291", "False"},
		{p("::/128"), "unspecified address", "RFC 4291", "False"},
		{p("::ffff:0:0/96"), "IPv4-mapped address", "RFC 4291", "False"},
		// True, but only a NAT64 translator makes sense of it: a resolver's
		// DNS64 synthesises these for its own network, and from any other
		// network the record points at nothing. The host it means is its
		// IPv4 address, which a daemon reports as IPv4. Refused whatever it
		// embeds (an embedded address that is not public is named, see
		// embedding; RFC 6052 §3.1 forbids that use anyway).
		{p("64:ff9b::/96"), "NAT64 well-known prefix", "RFC 6052", "True"},
		{p("64:ff9b:1::/48"), "local-use NAT64", "RFC 8215", "False"},
		{p("100::/64"), "discard-only address block", "RFC 6666", "False"},
		{p("100:0:0:1::/64"), "dummy IPv6 prefix", "RFC 9780", "False"},
		{p("2001::/23"), "IETF protocol assignments", "RFC 2928", "False"},
		// N/A: a Teredo client's address, whose IPv4 (obfuscated in the last
		// 32 bits) is behind a NAT; the daemon reports that IPv4 itself.
		{p("2001::/32"), "Teredo", "RFC 4380, RFC 8190", "N/A"},
		// True, but anycast service addresses (PCP, TURN, DNS-SD SRP
		// servers), nobody's home network.
		{p("2001:1::1/128"), "port control protocol anycast", "RFC 7723", "True"},
		{p("2001:1::2/128"), "traversal using relays around NAT anycast", "RFC 8155", "True"},
		{p("2001:1::3/128"), "DNS-SD service registration protocol anycast", "RFC 9665", "True"},
		{p("2001:2::/48"), "benchmarking", "RFC 5180", "False"},
		// True, but the anycast addresses of AMT relays.
		{p("2001:3::/32"), "AMT", "RFC 7450", "True"},
		// True, but the anycast sinks of AS112.
		{p("2001:4:112::/48"), "AS112-v6", "RFC 7535", "True"},
		// N/A: ORCHIDv1, terminated in 2014; nothing is assigned there.
		{p("2001:10::/28"), "deprecated ORCHID", "RFC 4843", "N/A"},
		// True, but ORCHIDs are cryptographic host identifiers, not
		// locators: no home network is numbered from them.
		{p("2001:20::/28"), "ORCHIDv2", "RFC 7343", "True"},
		// True, but drone entity tags are ORCHIDv2 identifiers of unmanned
		// aircraft, not a home network's locators.
		{p("2001:30::/28"), "drone remote ID protocol entity tags", "RFC 9374", "True"},
		{p("2001:db8::/32"), "documentation", "RFC 3849", "False"},
		// N/A: a 6to4 site's address, whose relays are deprecated (RFC
		// 7526); the site is its IPv4 address, which a daemon reports as
		// IPv4.
		{p("2002::/16"), "6to4", "RFC 3056", "N/A"},
		// True, but the anycast sinks of AS112 by direct delegation.
		{p("2620:4f:8000::/48"), "direct delegation AS112 service", "RFC 7534", "True"},
		{p("3fff::/20"), "documentation", "RFC 9637", "False"},
		{p("5f00::/16"), "segment routing (SRv6) SIDs", "RFC 9602", "False"},
		{p("fc00::/7"), "unique-local", "RFC 4193, RFC 8190", "False"},
		{p("fe80::/10"), "link-local unicast", "RFC 4291", "False"},
	},
}

// beyondRegistries are the blocks the special-purpose registries leave to
// other registries, or that were deprecated before they existed.
var beyondRegistries = registry{
	name:    "beyond the special-purpose registries (IANA IPv4 Multicast and IPv6 Address Space registries, RFC 4291)",
	version: "as published in 2025",
	blocks: []block{
		{p("224.0.0.0/4"), "multicast", "RFC 5771", ""},
		// Deprecated: ::a.b.c.d was never more than a transition trick, and
		// the host it means is a.b.c.d, reported as IPv4. (:: and ::1 are
		// the registry's, and named as theirs.)
		{p("::/96"), "IPv4-compatible, deprecated", "RFC 4291 §2.5.5.1", ""},
		{p("fec0::/10"), "site-local, deprecated", "RFC 3879", ""},
		{p("ff00::/8"), "multicast", "RFC 4291 §2.7", ""},
		// IANA assigns unicast addresses from 2000::/3 only (RFC 4291 §2.4,
		// the IPv6 Address Space registry): what lies outside and is not
		// named above is reserved by the IETF, and no home network's.
		{p("::/3"), "outside global unicast 2000::/3", "RFC 4291 §2.4", ""},
		{p("4000::/2"), "outside global unicast 2000::/3", "RFC 4291 §2.4", ""},
		{p("8000::/1"), "outside global unicast 2000::/3", "RFC 4291 §2.4", ""},
	},
}

// embedding are the blocks whose addresses carry an IPv4 address, and how
// to read it: an error then also names the block of an embedded address
// that is not public, the reason that matters for NAT64.
var embedding = map[netip.Prefix]func(netip.Addr) netip.Addr{
	p("::/96"):         lastIPv4,
	p("::ffff:0:0/96"): lastIPv4,
	p("64:ff9b::/96"):  lastIPv4, // RFC 6052 §2.2, for a /96 prefix
	p("2002::/16"):     sixToFourIPv4,
	p("2001::/32"):     teredoClientIPv4,
}

func p(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// lastIPv4 is the IPv4 address in the last 32 bits of an IPv6 address.
func lastIPv4(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[12:]))
}

// sixToFourIPv4 is a 6to4 site's IPv4 address: bits 16 to 47 (RFC 3056 §2).
func sixToFourIPv4(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[2:6]))
}

// teredoClientIPv4 is a Teredo client's public IPv4 address: the last 32
// bits, inverted (RFC 4380 §4).
func teredoClientIPv4(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
}

// special is the most specific block that holds addr, if any.
func special(addr netip.Addr) (block, bool) {
	var found block
	for _, r := range registries {
		for _, b := range r.blocks {
			if b.prefix.Contains(addr) && (!found.prefix.IsValid() || b.prefix.Bits() > found.prefix.Bits()) {
				found = b
			}
		}
	}
	return found, found.prefix.IsValid()
}

// ParsePublicAddress reads an IPv4 dotted quad or an IPv6 address and
// accepts it only when it is public: not in any block of the tables above.
// IPv4-mapped IPv6 addresses are refused (an IPv4 address is reported as
// one), and so are zones. Errors wrap ErrNotPublic.
func ParsePublicAddress(s string) (netip.Addr, error) {
	if len(s) > 64 || strings.ContainsAny(s, "%/") {
		return netip.Addr{}, fmt.Errorf("%w: %q", ErrNotPublic, truncate(s))
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %q is not an IP address", ErrNotPublic, truncate(s))
	}
	return checkPublic(addr)
}

// checkPublic refuses addr, wrapping ErrNotPublic, when it is no address,
// has a zone or is in a block; the error names the block, and the block
// of the IPv4 address it embeds when that is not public either:
// "64:ff9b::a00:1 is in 64:ff9b::/96 (NAT64 well-known prefix) and embeds
// 10.0.0.1, which is in 10.0.0.0/8 (private-use)".
func checkPublic(addr netip.Addr) (netip.Addr, error) {
	if !addr.IsValid() {
		return addr, fmt.Errorf("%w: no address", ErrNotPublic)
	}
	if addr.Zone() != "" {
		return addr, fmt.Errorf("%w: %s", ErrNotPublic, addr)
	}
	b, ok := special(addr)
	if !ok {
		return addr, nil
	}
	if embedded, ok := embedding[b.prefix]; ok {
		v4 := embedded(addr)
		if inner, ok := special(v4); ok {
			return addr, fmt.Errorf("%w: %s is in %s and embeds %s, which is in %s", ErrNotPublic, addr, b, v4, inner)
		}
	}
	return addr, fmt.Errorf("%w: %s is in %s", ErrNotPublic, addr, b)
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
