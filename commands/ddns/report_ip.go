package ddns

import (
	"context"
	"errors"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates/report"
)

// ReportIP is a daemon's report of its network's public address of one
// family (PUT /v1/ip).
type ReportIP struct {
	Daemon Daemon
	// IP is the address as the daemon sent it: an IPv4 dotted quad for the
	// A record, an IPv6 address for the AAAA record.
	IP string
}

// ReportIP records c.IP as the daemon's network's public address of its
// family. Addresses that are not public are refused (400); so is a
// network that is being deprovisioned (403), and one the daemon may not
// report for (authorizeDaemon). Reporting the address the network already
// has appends nothing.
func (a *App) ReportIP(ctx context.Context, c ReportIP) error {
	addr, err := parseIP(c.IP)
	if err != nil {
		return err
	}
	notLive := refuse(Forbidden, msgDeprovisioning, nil)
	return a.decideForDaemon(ctx, c.Daemon, notLive, report.ReportAddress{Address: addr}.Decide)
}

// parseIP reads the address of a report, with the answer's reason for a
// bad one: garbage, IPv4-mapped IPv6, or not public.
func parseIP(ip string) (netip.Addr, error) {
	addr, err := report.ParsePublicAddress(ip)
	if err == nil {
		return addr, nil
	}
	if !errors.Is(err, report.ErrNotPublic) {
		return netip.Addr{}, err
	}
	switch parsed, perr := netip.ParseAddr(ip); {
	case perr != nil || parsed.Zone() != "":
		return netip.Addr{}, refuse(BadRequest, msgNotAnIP, err)
	case parsed.Is4In6():
		return netip.Addr{}, refuse(BadRequest, msgMapped, err)
	default:
		return netip.Addr{}, refuse(BadRequest, msgNotPublic, err)
	}
}
