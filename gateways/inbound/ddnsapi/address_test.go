package ddnsapi_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

// msgNotPublicIP is the answer to an address that is not public
// (commands' msgNotPublic): the blocks behind it grew, the answer did not.
const msgNotPublicIP = "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"

// PUT /v1/ip refuses every block of the IANA special-purpose registries
// and the IPv6 forms that embed an IPv4 address, as it refuses a private
// address: 400 with the JSON error, and nothing appended.
func TestReportIPRefusesSpecialPurpose(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("carol@example.com").register("carols-lab", region)

	for _, ip := range []string{
		"::127.0.0.1",                          // IPv4-compatible, of loopback
		"::8.8.8.8",                            // IPv4-compatible, of a public address
		"64:ff9b::a00:1",                       // NAT64 of 10.0.0.1
		"64:ff9b::6440:1",                      // NAT64 of 100.64.0.1 (CGNAT)
		"64:ff9b::808:808",                     // NAT64 of a public address: reachable only through a translator
		"64:ff9b:1::a00:1",                     // local-use NAT64
		"2002:a00:1::1",                        // 6to4 of 10.0.0.1
		"2001:0:4136:e378:8000:63bf:f5ff:fffe", // Teredo, client 10.0.0.1
		"192.88.99.1",                          // deprecated 6to4 relay anycast
		"192.0.0.9",                            // PCP anycast
		"192.31.196.1",                         // AS112 anycast
		"192.175.48.1",                         // AS112 direct delegation anycast
		"192.52.193.1",                         // AMT anycast
		"2620:4f:8000::1",                      // AS112 direct delegation anycast
		"2001:20::1",                           // ORCHIDv2
		"3fff::1",                              // documentation
		"5f00::1",                              // SRv6 SIDs
		"100:0:0:1::1",                         // dummy IPv6 prefix
		"4000::1",                              // outside global unicast
	} {
		d.call("PUT", "/v1/ip", ipBody{ip}).wantError(t, 400, msgNotPublicIP)
	}
	d.call("PUT", "/v1/ip", ipBody{"2606:4700:4700::1111"}).want(t, 204)

	want := []events.Payload{addr("2606:4700:4700::1111")}
	if got := s.reports(d.network); !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
}
