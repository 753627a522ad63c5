package ddns

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/dns"
)

// ClearChallenge removes the caller's network's ACME challenge values
// (DELETE /v1/acme-challenge). It is idempotent: a network without values
// appends nothing. It is not refused on a network being deprovisioned,
// whose records go away all the same.
func (s *Service) ClearChallenge(ctx context.Context, caller Daemon) error {
	return s.report(ctx, caller, nil, dns.ClearChallenge{}.Decide)
}
