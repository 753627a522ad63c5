package ddns

import (
	"context"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// AdmitClient counts one stock-client request from the client address ip,
// before its credential is checked, and refuses it (a *ThrottledError)
// beyond Deps.ClientLimit. An IPv6 client counts by its /64, which is what
// one customer holds (ratelimit.ClientKey). A zero ip (no address known)
// shares one count.
func (a *App) AdmitClient(ctx context.Context, ip netip.Addr) error {
	return a.admit(ctx, a.d.ClientLimit, "ip:"+ratelimit.ClientKey(ip))
}
