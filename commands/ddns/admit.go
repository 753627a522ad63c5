package ddns

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// AdmitClient counts one stock-client request from the client address ip,
// before its credential is checked, and refuses it (a *ThrottledError)
// beyond Deps.ClientLimit. An IPv6 client counts by its /64, which is what
// one customer holds. A zero ip (no address known) shares one count.
func (s *Service) AdmitClient(ctx context.Context, ip netip.Addr) error {
	return s.admit(ctx, s.d.ClientLimit, "ip:"+clientKey(ip))
}

// AdmitUpdate counts one update (dyndns2) or one registration or update
// (acme-dns) by an authenticated credential, and refuses it (a
// *ThrottledError) beyond Deps.UpdateLimit.
func (s *Service) AdmitUpdate(ctx context.Context, c Client) error {
	return s.admit(ctx, s.d.UpdateLimit, "credential:"+c.CredentialID.String())
}

func (s *Service) admit(ctx context.Context, l Limiter, key string) error {
	ok, retry, err := l.Allow(ctx, key)
	if err != nil {
		return fmt.Errorf("stock client: rate limit: %w", err)
	}
	if !ok {
		return &ThrottledError{RetryAfter: retry}
	}
	return nil
}

// clientKey is the rate-limit key of a client address: the address for
// IPv4, its /64 for IPv6 (ratelimit.ClientKey).
func clientKey(ip netip.Addr) string { return ratelimit.ClientKey(ip) }
