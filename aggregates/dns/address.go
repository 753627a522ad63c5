package dns

import (
	"fmt"
	"net/netip"
	"strings"
)

// nonPublic are the ranges no public A or AAAA record may point at, beyond
// what netip's predicates name (loopback, private, link-local, multicast,
// unspecified): the contract's IPv4 list and their IPv6 counterparts.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("fc00::/7"),        // unique local
}

// ParsePublicAddress reads an IPv4 dotted quad or an IPv6 address and
// accepts it only when it is public: an address a DNS record may point at
// for anyone on the Internet. IPv4-mapped IPv6 addresses are refused (an
// IPv4 address is reported as one), and so are zones.
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

func checkPublic(addr netip.Addr) (netip.Addr, error) {
	switch {
	case !addr.IsValid():
		return addr, fmt.Errorf("%w: no address", ErrNotPublic)
	case addr.Is4In6(), addr.Zone() != "":
		return addr, fmt.Errorf("%w: %s", ErrNotPublic, addr)
	case addr.IsLoopback(), addr.IsPrivate(), addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(),
		addr.IsInterfaceLocalMulticast(), addr.IsMulticast(), addr.IsUnspecified():
		return addr, fmt.Errorf("%w: %s", ErrNotPublic, addr)
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return addr, fmt.Errorf("%w: %s is in %s", ErrNotPublic, addr, p)
		}
	}
	return addr, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
