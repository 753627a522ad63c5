package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
)

// networkBySlug finds the network that holds slug, of any tenant: the
// caller checks the owner on the network itself (ownNetwork). A slug that
// is malformed or not held is not found.
func (a *App) networkBySlug(ctx context.Context, slugIn string) (naming.Slug, ids.NetworkID, error) {
	slug, err := naming.ParseSlug(slugIn)
	if err != nil {
		return "", "", refuse(NotFound, msgNetworkNotFound, err)
	}
	res, err := a.repos.slugs.Load(ctx, slug.String())
	if err != nil {
		return "", "", err
	}
	if !res.State.Held() {
		return "", "", refuse(NotFound, msgNetworkNotFound, nil)
	}
	return slug, res.State.Owner, nil
}

// ownNetwork refuses a network that is not tenantID's: a network of
// another tenant is not found, like a missing one.
func ownNetwork(n network.State, tenantID ids.TenantID) error {
	if !n.Exists() || n.TenantID != tenantID {
		return refuse(NotFound, msgNetworkNotFound, nil)
	}
	return nil
}
