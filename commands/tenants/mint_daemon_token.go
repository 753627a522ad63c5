package tenants

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// MintDaemonToken asks for a daemon token for Key (POST /v1/token). The
// gateway has parsed the key and verified the request's proof of
// possession with it.
type MintDaemonToken struct {
	Key ids.DaemonKey
}

// MintDaemonToken mints a network-scoped token for a registered daemon
// key, a tenant-scoped one for a pending enrollment. A deregistered tenant
// or one without an active subscription (grace included) gets none (403),
// which a daemon reads as "suspended". It returns the signed token.
func (a *App) MintDaemonToken(ctx context.Context, cmd MintDaemonToken) (string, error) {
	now := a.d.Now()
	d, err := a.repos.daemons.Load(ctx, cmd.Key.Fingerprint().String())
	if err != nil {
		return "", err
	}
	scope := d.State.Scope(now)
	if scope.Kind == daemon.ScopeNone {
		return "", refuse(Unauthorized, msgNotEnrolled, nil)
	}
	t, sub, err := a.openTrialIfDue(ctx, scope.TenantID)
	if err != nil {
		return "", err
	}
	active := func(sub subscription.State) bool { return sub.Active(now, subscription.DefaultGrace) }
	if err := entitled(t, sub, active); err != nil {
		return "", err
	}
	token, err := a.d.Signer.Sign(tokens.DaemonClaims(scope.TenantID.String(), cmd.Key.PublicKey(), scope.NetworkID.String(), now))
	if err != nil {
		return "", fmt.Errorf("mint daemon token: %w", err)
	}
	return token, nil
}
