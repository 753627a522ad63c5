package tenants

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
)

// ListCredentials asks for the live update credentials of the tenant's
// network named Slug, as submitted
// (GET /v1/tenants/{id}/networks/{slug}/credentials).
type ListCredentials struct {
	TenantID ids.TenantID
	Slug     string
}

// CredentialInfo is a live update credential as its owner lists it:
// never its secret.
type CredentialInfo struct {
	ID       ids.CredentialID
	Kind     network.CredentialKind
	Username string
	Issued   time.Time
}

// ListCredentials returns the credentials of every kind (the acme-dns
// accounts registered with them too), oldest first. It reads the network
// aggregate, which holds them: the answer reflects every write before it.
func (a *App) ListCredentials(ctx context.Context, cmd ListCredentials) ([]CredentialInfo, error) {
	_, networkID, err := a.networkBySlug(ctx, cmd.Slug)
	if err != nil {
		return nil, err
	}
	n, err := a.repos.networks.Load(ctx, networkID.String())
	if err != nil {
		return nil, err
	}
	if err := ownNetwork(n.State, cmd.TenantID); err != nil {
		return nil, err
	}
	out := make([]CredentialInfo, 0, len(n.State.Credentials))
	for id, c := range n.State.Credentials {
		out = append(out, CredentialInfo{ID: id, Kind: c.Kind, Username: c.Username, Issued: c.Issued})
	}
	slices.SortFunc(out, func(a, b CredentialInfo) int {
		return cmp.Or(a.Issued.Compare(b.Issued), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
