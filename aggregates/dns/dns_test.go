package dns_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/events"
)

func fold(evs ...events.Payload) dns.State {
	return aggregatetest.Fold(dns.Initial(), dns.Evolve, evs...)
}

var (
	v4  = netip.MustParseAddr("81.2.69.142")
	v4b = netip.MustParseAddr("81.2.69.160")
	v6  = netip.MustParseAddr("2a00:1450:4001:80b::200e")
)

func TestDecide(t *testing.T) {
	aggregatetest.RunDecide(t, fold, []aggregatetest.DecideCase[dns.State]{
		{Name: "first IPv4", Cmd: dns.ReportAddress{Address: v4}, Want: []events.Payload{dns.AddressReported{Address: v4}}},
		{Name: "same IPv4 again", Given: []events.Payload{dns.AddressReported{Address: v4}}, Cmd: dns.ReportAddress{Address: v4}},
		{Name: "new IPv4", Given: []events.Payload{dns.AddressReported{Address: v4}}, Cmd: dns.ReportAddress{Address: v4b},
			Want: []events.Payload{dns.AddressReported{Address: v4b}}},
		{Name: "IPv6 beside IPv4", Given: []events.Payload{dns.AddressReported{Address: v4}}, Cmd: dns.ReportAddress{Address: v6},
			Want: []events.Payload{dns.AddressReported{Address: v6}}},
		{Name: "private", Cmd: dns.ReportAddress{Address: netip.MustParseAddr("10.0.0.1")}, Err: dns.ErrNotPublic},
		{Name: "none", Cmd: dns.ReportAddress{}, Err: dns.ErrNotPublic},
		{Name: "challenge", Cmd: dns.SetChallenge{Values: []string{"b", "a"}}, Want: []events.Payload{dns.ChallengeSet{Values: []string{"a", "b"}}}},
		{Name: "same challenge in another order", Given: []events.Payload{dns.ChallengeSet{Values: []string{"a", "b"}}},
			Cmd: dns.SetChallenge{Values: []string{"b", "a"}}},
		{Name: "no values", Cmd: dns.SetChallenge{}, Err: dns.ErrBadChallenge},
		{Name: "five values", Cmd: dns.SetChallenge{Values: []string{"a", "b", "c", "d", "e"}}, Err: dns.ErrBadChallenge},
		{Name: "empty value", Cmd: dns.SetChallenge{Values: []string{""}}, Err: dns.ErrBadChallenge},
		{Name: "256 bytes", Cmd: dns.SetChallenge{Values: []string{strings.Repeat("x", 256)}}, Err: dns.ErrBadChallenge},
		{Name: "255 bytes", Cmd: dns.SetChallenge{Values: []string{strings.Repeat("x", 255)}},
			Want: []events.Payload{dns.ChallengeSet{Values: []string{strings.Repeat("x", 255)}}}},
		{Name: "clear", Given: []events.Payload{dns.ChallengeSet{Values: []string{"a"}}}, Cmd: dns.ClearChallenge{},
			Want: []events.Payload{dns.ChallengeCleared{}}},
		{Name: "clear nothing", Cmd: dns.ClearChallenge{}},
		// An acme-dns account's values are not the daemon's.
		{Name: "challenge beside an account's", Given: []events.Payload{dns.AccountChallengeSet{CredentialID: acc1, Values: []string{"a"}}},
			Cmd: dns.SetChallenge{Values: []string{"a"}}, Want: []events.Payload{dns.ChallengeSet{Values: []string{"a"}}}},
		{Name: "clear with only an account's", Given: []events.Payload{dns.AccountChallengeSet{CredentialID: acc1, Values: []string{"a"}}},
			Cmd: dns.ClearChallenge{}},
	})
}

func TestEvolve(t *testing.T) {
	s := fold(dns.AddressReported{Address: v4}, dns.AddressReported{Address: v6}, dns.AddressReported{Address: v4b},
		dns.ChallengeSet{Values: []string{"a"}}, dns.ChallengeCleared{})
	if s.IPv4 != v4b || s.IPv6 != v6 || s.Challenge != nil {
		t.Fatalf("state %+v", s)
	}
	aggregatetest.JSONRoundTrip(t, s, dns.Initial(), fold(dns.ChallengeSet{Values: []string{"a", "b"}},
		dns.AccountChallengeSet{CredentialID: acc1, Values: []string{"z", "y"}}))
}

func TestCatalog(t *testing.T) {
	aggregatetest.CheckCatalog(t, dns.Register, []aggregatetest.EventCase{
		{Event: dns.AddressReported{Address: v6}, Type: "wardnet.dns.address_reported", JSON: `{"address":"2a00:1450:4001:80b::200e"}`},
		{Event: dns.ChallengeSet{Values: []string{"a", "b"}}, Type: "wardnet.dns.challenge_set", JSON: `{"values":["a","b"]}`},
		{Event: dns.ChallengeCleared{}, Type: "wardnet.dns.challenge_cleared", JSON: `{}`},
		{Event: dns.AccountChallengeSet{CredentialID: acc1, Values: []string{"b", "a"}}, Type: "wardnet.dns.account_challenge_set",
			JSON: `{"credential_id":"6c0a6d5e-4a53-4d57-9a43-3f7e1c0b2a01","values":["b","a"]}`},
	})
}

func TestParsePublicAddress(t *testing.T) {
	for _, s := range []string{"81.2.69.142", "1.1.1.1", "2a00:1450:4001:80b::200e", "2606:4700:4700::1111"} {
		if _, err := dns.ParsePublicAddress(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{
		"", "x", "1.2.3", "01.2.3.4", "1.2.3.4/32", "1.2.3.4 ", " 1.2.3.4",
		"10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.1.1", "0.0.0.0", "0.1.2.3",
		"255.255.255.255", "240.0.0.1", "224.0.0.1", "100.64.0.1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fd00::1", "ff02::1", "2001:db8::1", "::ffff:81.2.69.142", "2002::1",
		strings.Repeat("1", 100),
	} {
		if a, err := dns.ParsePublicAddress(s); !errors.Is(err, dns.ErrNotPublic) {
			t.Errorf("%q accepted as %s (%v)", s, a, err)
		}
	}
}

func FuzzParsePublicAddress(f *testing.F) {
	for _, s := range []string{"81.2.69.142", "::1", "2a00::1", "10.0.0.1", "1.2.3.4%x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := dns.ParsePublicAddress(s)
		if err != nil {
			return
		}
		if a.IsPrivate() || a.IsLoopback() || a.Is4In6() || a.Zone() != "" || a.String() != s && netip.MustParseAddr(s) != a {
			t.Fatalf("%q accepted as %s", s, a)
		}
	})
}
