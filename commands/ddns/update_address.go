package ddns

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

// UpdateAddress is a stock client's update of its network's public
// addresses (dyndns2).
type UpdateAddress struct {
	// Client is an update credential's.
	Client Client
	// Addresses are one address, or one of each family.
	Addresses []netip.Addr
}

// UpdateAddress records c.Addresses as the client's network's public
// addresses: the rules of ReportIP, on the network the credential names.
// It reports whether any address changed. An address that is not public,
// or two of one family, is ErrBadAddress; the network is checked as
// authorizeClient does.
func (a *App) UpdateAddress(ctx context.Context, c UpdateAddress) (changed bool, err error) {
	cl, addrs := c.Client, c.Addresses
	if cl.Kind != network.CredentialUpdate {
		return false, fmt.Errorf("update address with a %s credential: %w", cl.Kind, ErrBadCredentials)
	}
	if len(addrs) == 0 || len(addrs) > 2 || (len(addrs) == 2 && addrs[0].Is4() == addrs[1].Is4()) {
		return false, fmt.Errorf("%d addresses, want one of each family at most: %w", len(addrs), ErrBadAddress)
	}
	for _, addr := range addrs {
		if _, err := report.ParsePublicAddress(addr.String()); err != nil {
			return false, fmt.Errorf("%w: %w", ErrBadAddress, err)
		}
	}
	meta := events.Meta{TenantID: cl.TenantID.String(), Actor: cl.actor()}
	return a.decideDNS(ctx, cl.NetworkID, meta, func(n network.State) error { return a.authorizeClient(n, cl) },
		func(current report.State) ([]events.Payload, error) {
			var decided []events.Payload
			for _, addr := range addrs {
				d, err := report.ReportAddress{Address: addr}.Decide(current)
				if err != nil {
					return nil, fmt.Errorf("%w: %w", ErrBadAddress, err)
				}
				decided = append(decided, d...)
			}
			return decided, nil
		})
}
