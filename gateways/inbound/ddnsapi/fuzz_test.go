package ddnsapi

import (
	"encoding/base64"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// The HTTP Basic parser takes any header: what it accepts is a username
// without control characters and a secret that encode back to the same
// credentials; what a client can send, it reads.
func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{
		"Basic " + base64.StdEncoding.EncodeToString([]byte("home-abcdefgh:secret")),
		"basic " + base64.StdEncoding.EncodeToString([]byte("u:p:with:colons")),
		"Basic  " + base64.StdEncoding.EncodeToString([]byte(":nouser")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")),
		"Bearer x", "Basic", "Basic !!!", "", "Basic dTpwCg==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		user, secret, ok := parseBasic(h)
		if !ok {
			if user != "" || secret != "" {
				t.Fatalf("refused %q but returned %q, %q", h, user, secret)
			}
			return
		}
		if user == "" || strings.Contains(user, ":") || hasControl(user) || hasControl(secret) || !utf8.ValidString(user) || len(h) > maxAuthorization {
			t.Fatalf("accepted %q as %q, %q", h, user, secret)
		}
		again := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
		if u, s, ok := parseBasic(again); !ok || u != user || s != secret {
			t.Fatalf("%q read as %q, %q; encoded again as %q: %q, %q, %v", h, user, secret, again, u, s, ok)
		}
	})
}

// The same property from the other side: credentials a client encodes are
// read back unless they hold what RFC 7617 forbids.
func FuzzBasicRoundTrip(f *testing.F) {
	f.Add("home-abcdefgh", "c2VjcmV0-_")
	f.Add("", "x")
	f.Add("a:b", "c")
	f.Add("ü", "\x00")
	f.Add("\xff", "secret") // a username no store takes
	f.Fuzz(func(t *testing.T, user, secret string) {
		if strings.Contains(user, ":") {
			return // RFC 7617: a username holds no colon; the first one splits
		}
		h := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
		u, s, ok := parseBasic(h)
		valid := user != "" && !hasControl(user) && !hasControl(secret) && utf8.ValidString(user) && len(h) <= maxAuthorization
		if ok != valid || (ok && (u != user || s != secret)) {
			t.Fatalf("%q, %q: read %q, %q, %v", user, secret, u, s, ok)
		}
	})
}

// A dyndns2 query of any bytes: bounded lists of trimmed entries, and at
// most one address of each family to set, well formed.
func FuzzParseUpdateQuery(f *testing.F) {
	for _, s := range []string{
		"hostname=home.dyn.example.net&myip=203.0.114.7",
		"hostname=a,b,,c&myip=1.2.3.4,2001:db8::1&myipv6=2001:db8::2",
		"hostname=" + strings.Repeat("a,", 30) + "&myip=%zz",
		"myip=::ffff:1.2.3.4&hostname=%20x%20",
		"hostname&myip", ";;;&&&=", "myip=fe80::1%25eth0",
	} {
		f.Add(s, "198.51.100.1")
	}
	f.Add("", "")
	f.Fuzz(func(t *testing.T, raw, client string) {
		q := parseUpdateQuery(raw)
		if len(q.hostnames) > maxHostnames+1 || len(q.addresses) > maxAddresses {
			t.Fatalf("%q: %d hostnames, %d addresses", raw, len(q.hostnames), len(q.addresses))
		}
		for _, h := range q.hostnames {
			if h != strings.TrimSpace(h) || strings.Contains(h, ",") {
				t.Fatalf("%q: hostname %q", raw, h)
			}
		}
		for _, a := range q.addresses {
			if a == "" || a != strings.TrimSpace(a) || strings.Contains(a, ",") {
				t.Fatalf("%q: address %q", raw, a)
			}
		}
		c, _ := netip.ParseAddr(client)
		addrs := updateAddresses(q.addresses, c)
		if len(addrs) == 0 || len(addrs) > 2 || (len(addrs) == 2 && (!addrs[0].Is4() || !addrs[1].Is6())) {
			t.Fatalf("%q from %q: addresses %v", raw, client, addrs)
		}
		for _, a := range addrs {
			if a.Is4In6() || a.Zone() != "" {
				t.Fatalf("%q: address %v", raw, a)
			}
		}
	})
}
