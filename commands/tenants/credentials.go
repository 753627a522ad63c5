package tenants

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
)

// The update credentials of a network's stock clients (dyndns2, acme-dns;
// docs/ddns.md): the owner issues, lists and revokes them here, on the
// network aggregate; the ddns service verifies them.

// IssuedCredential is a new update credential with its secret. The secret
// is shown once, in the answer that issues it: the log holds only its
// argon2id hash, and nothing can show it again.
type IssuedCredential struct {
	ID       ids.CredentialID
	Username string
	Secret   string
}

// CredentialInfo is a live update credential as its owner lists it:
// never its secret.
type CredentialInfo struct {
	ID       ids.CredentialID
	Kind     network.CredentialKind
	Username string
	Issued   time.Time
}

// Credentials lists the live update credentials of the tenant's network
// named slug, of every kind (the acme-dns accounts registered with them
// too), oldest first. It reads the network aggregate, which holds them:
// the answer reflects every write before it.
func (s *Service) Credentials(ctx context.Context, tenantID ids.TenantID, slugIn string) ([]CredentialInfo, error) {
	_, networkID, err := s.networkBySlug(ctx, slugIn)
	if err != nil {
		return nil, err
	}
	n, err := s.repos.networks.Load(ctx, networkID.String())
	if err != nil {
		return nil, err
	}
	if !n.State.Exists() || n.State.TenantID != tenantID {
		return nil, refuse(NotFound, msgNetworkNotFound, nil)
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

// networkBySlug finds the network that holds slug, of any tenant: the
// caller checks the owner on the network itself. A slug that is malformed
// or not held is not found.
func (s *Service) networkBySlug(ctx context.Context, slugIn string) (naming.Slug, ids.NetworkID, error) {
	slug, err := naming.ParseSlug(slugIn)
	if err != nil {
		return "", "", refuse(NotFound, msgNetworkNotFound, err)
	}
	res, err := s.repos.slugs.Load(ctx, slug.String())
	if err != nil {
		return "", "", err
	}
	if !res.State.Held() {
		return "", "", refuse(NotFound, msgNetworkNotFound, nil)
	}
	return slug, res.State.Owner, nil
}

// credentialRefusal is refusal with the network aggregate's credential
// errors, which only these commands meet.
func credentialRefusal(err error) error {
	switch {
	case err == nil || KindOf(err) != 0:
		return err
	case errors.Is(err, network.ErrWrongState):
		return refuse(Conflict, msgNetworkLeaving, err)
	case errors.Is(err, network.ErrCredentialLimit):
		return refuse(Conflict, msgCredentialLimit, err)
	case errors.Is(err, network.ErrNoCredential):
		return refuse(NotFound, msgCredentialNotFound, err)
	}
	return asRefusal(err)
}
