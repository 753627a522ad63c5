package ddns

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// UpdateAddress records addrs, at most one per family, as client c's
// network's public addresses (dyndns2): the rules of ReportIP, on the
// network the credential names. It reports whether any address changed.
// An address that is not public, or two of one family, is ErrBadAddress;
// the network is checked as authorizeClient does.
func (s *Service) UpdateAddress(ctx context.Context, c Client, addrs ...netip.Addr) (changed bool, err error) {
	if c.Kind != network.CredentialUpdate {
		return false, fmt.Errorf("update address with a %s credential: %w", c.Kind, ErrBadCredentials)
	}
	if len(addrs) == 0 || len(addrs) > 2 || (len(addrs) == 2 && addrs[0].Is4() == addrs[1].Is4()) {
		return false, fmt.Errorf("%d addresses, want one of each family at most: %w", len(addrs), ErrBadAddress)
	}
	for _, a := range addrs {
		if _, err := dns.ParsePublicAddress(a.String()); err != nil {
			return false, fmt.Errorf("%w: %w", ErrBadAddress, err)
		}
	}
	meta := events.Meta{TenantID: c.TenantID.String(), Actor: c.actor()}
	return s.decideReports(ctx, c.NetworkID, meta, func(n network.State) error { return s.authorizeClient(n, c) },
		func(r dns.State) ([]events.Payload, error) {
			var decided []events.Payload
			for _, a := range addrs {
				d, err := dns.ReportAddress{Address: a}.Decide(r)
				if err != nil {
					return nil, fmt.Errorf("%w: %w", ErrBadAddress, err)
				}
				decided = append(decided, d...)
			}
			return decided, nil
		})
}
