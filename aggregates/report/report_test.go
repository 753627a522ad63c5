package report_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

func fold(evs ...events.Payload) report.State {
	return aggregatetest.Fold(report.Initial(), report.Evolve, evs...)
}

var (
	v4  = netip.MustParseAddr("81.2.69.142")
	v4b = netip.MustParseAddr("81.2.69.160")
	v6  = netip.MustParseAddr("2a00:1450:4001:80b::200e")
)

func TestDecide(t *testing.T) {
	aggregatetest.RunDecide(t, fold, []aggregatetest.DecideCase[report.State]{
		{Name: "first IPv4", Cmd: report.ReportAddress{Address: v4}, Want: []events.Payload{report.AddressReported{Address: v4}}},
		{Name: "same IPv4 again", Given: []events.Payload{report.AddressReported{Address: v4}}, Cmd: report.ReportAddress{Address: v4}},
		{Name: "new IPv4", Given: []events.Payload{report.AddressReported{Address: v4}}, Cmd: report.ReportAddress{Address: v4b},
			Want: []events.Payload{report.AddressReported{Address: v4b}}},
		{Name: "IPv6 beside IPv4", Given: []events.Payload{report.AddressReported{Address: v4}}, Cmd: report.ReportAddress{Address: v6},
			Want: []events.Payload{report.AddressReported{Address: v6}}},
		{Name: "private", Cmd: report.ReportAddress{Address: netip.MustParseAddr("10.0.0.1")}, Err: report.ErrNotPublic},
		{Name: "none", Cmd: report.ReportAddress{}, Err: report.ErrNotPublic},
		{Name: "challenge", Cmd: report.SetChallenge{Values: []string{"b", "a"}}, Want: []events.Payload{report.ChallengeSet{Values: []string{"a", "b"}}}},
		{Name: "same challenge in another order", Given: []events.Payload{report.ChallengeSet{Values: []string{"a", "b"}}},
			Cmd: report.SetChallenge{Values: []string{"b", "a"}}},
		{Name: "no values", Cmd: report.SetChallenge{}, Err: report.ErrBadChallenge},
		{Name: "five values", Cmd: report.SetChallenge{Values: []string{"a", "b", "c", "d", "e"}}, Err: report.ErrBadChallenge},
		{Name: "empty value", Cmd: report.SetChallenge{Values: []string{""}}, Err: report.ErrBadChallenge},
		{Name: "256 bytes", Cmd: report.SetChallenge{Values: []string{strings.Repeat("x", 256)}}, Err: report.ErrBadChallenge},
		{Name: "255 bytes", Cmd: report.SetChallenge{Values: []string{strings.Repeat("x", 255)}},
			Want: []events.Payload{report.ChallengeSet{Values: []string{strings.Repeat("x", 255)}}}},
		{Name: "clear", Given: []events.Payload{report.ChallengeSet{Values: []string{"a"}}}, Cmd: report.ClearChallenge{},
			Want: []events.Payload{report.ChallengeCleared{}}},
		{Name: "clear nothing", Cmd: report.ClearChallenge{}},
		// An acme-dns account's values are not the daemon's.
		{Name: "challenge beside an account's", Given: []events.Payload{report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a"}}},
			Cmd: report.SetChallenge{Values: []string{"a"}}, Want: []events.Payload{report.ChallengeSet{Values: []string{"a"}}}},
		{Name: "clear with only an account's", Given: []events.Payload{report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a"}}},
			Cmd: report.ClearChallenge{}},
	})
}

func TestEvolve(t *testing.T) {
	s := fold(report.AddressReported{Address: v4}, report.AddressReported{Address: v6}, report.AddressReported{Address: v4b},
		report.ChallengeSet{Values: []string{"a"}}, report.ChallengeCleared{})
	if s.IPv4 != v4b || s.IPv6 != v6 || s.Challenge != nil {
		t.Fatalf("state %+v", s)
	}
	aggregatetest.JSONRoundTrip(t, s, report.Initial(), fold(report.ChallengeSet{Values: []string{"a", "b"}},
		report.AccountChallengeSet{CredentialID: acc1, Values: []string{"z", "y"}}))
}

func TestCatalog(t *testing.T) {
	aggregatetest.CheckCatalog(t, report.Register, []aggregatetest.EventCase{
		{Event: report.AddressReported{Address: v6}, Type: "wardnet.dns.address_reported", JSON: `{"address":"2a00:1450:4001:80b::200e"}`},
		{Event: report.ChallengeSet{Values: []string{"a", "b"}}, Type: "wardnet.dns.challenge_set", JSON: `{"values":["a","b"]}`},
		{Event: report.ChallengeCleared{}, Type: "wardnet.dns.challenge_cleared", JSON: `{}`},
		{Event: report.AccountChallengeSet{CredentialID: acc1, Values: []string{"b", "a"}}, Type: "wardnet.dns.account_challenge_set",
			JSON: `{"credential_id":"6c0a6d5e-4a53-4d57-9a43-3f7e1c0b2a01","values":["b","a"]}`},
	})
}

func TestParsePublicAddress(t *testing.T) {
	for _, s := range []string{"81.2.69.142", "1.1.1.1", "2a00:1450:4001:80b::200e", "2606:4700:4700::1111"} {
		if _, err := report.ParsePublicAddress(s); err != nil {
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
		if a, err := report.ParsePublicAddress(s); !errors.Is(err, report.ErrNotPublic) {
			t.Errorf("%q accepted as %s (%v)", s, a, err)
		}
	}
}

func FuzzParsePublicAddress(f *testing.F) {
	for _, s := range []string{"81.2.69.142", "::1", "2a00::1", "10.0.0.1", "1.2.3.4%x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := report.ParsePublicAddress(s)
		if err != nil {
			return
		}
		if a.IsPrivate() || a.IsLoopback() || a.Is4In6() || a.Zone() != "" || a.String() != s && netip.MustParseAddr(s) != a {
			t.Fatalf("%q accepted as %s", s, a)
		}
	})
}
