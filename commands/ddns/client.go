package ddns

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
)

// Client is a stock client authenticated by an update credential
// (Authenticate): the credential and the network it names. The network
// acted on is always the credential's, never anything the request names.
type Client struct {
	CredentialID ids.CredentialID
	Kind         network.CredentialKind
	NetworkID    ids.NetworkID
	TenantID     ids.TenantID
	Slug         naming.Slug
}

// actor is the actor of the events a stock client causes.
func (c Client) actor() string { return "credential:" + c.CredentialID.String() }

// authorizeClient checks client c against the network aggregate n, the
// authority: the network exists, is the credential's tenant's, still holds
// the credential, is served here and is live.
func (a *App) authorizeClient(n network.State, c Client) error {
	switch {
	case !n.Exists() || n.TenantID != c.TenantID || !n.HasCredential(c.CredentialID, c.Kind):
		return fmt.Errorf("credential %s is not a live one of network %s: %w", c.CredentialID, c.NetworkID, ErrBadCredentials)
	case n.Region != a.d.Region:
		return fmt.Errorf("network %s of region %s: %w", c.NetworkID, n.Region, ErrNotServedHere)
	case !n.Live():
		return fmt.Errorf("network %s is %s: %w", c.NetworkID, n.Status, ErrBadCredentials)
	}
	return nil
}

// admit counts one request under key with l, and refuses it (a
// *ThrottledError) beyond l's limit: AdmitClient and AdmitUpdate.
func (a *App) admit(ctx context.Context, l Limiter, key string) error {
	ok, retry, err := l.Allow(ctx, key)
	if err != nil {
		return fmt.Errorf("stock client: rate limit: %w", err)
	}
	if !ok {
		return &ThrottledError{RetryAfter: retry}
	}
	return nil
}
