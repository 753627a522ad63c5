package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// RevokeCredential revokes an update credential (of any kind) of the
// tenant's network named slug. A credential that is not a live one of
// that network is not found (404), revoked already included.
func (s *Service) RevokeCredential(ctx context.Context, tenantID ids.TenantID, slugIn, credentialIn string) error {
	_, networkID, err := s.networkBySlug(ctx, slugIn)
	if err != nil {
		return err
	}
	credentialID, err := ids.Parse[ids.CredentialID](credentialIn)
	if err != nil {
		return refuse(NotFound, msgCredentialNotFound, err)
	}
	meta := events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
	_, err = s.repos.networks.Execute(ctx, networkID.String(), meta, func(n network.State) ([]events.Payload, error) {
		if !n.Exists() || n.TenantID != tenantID {
			return nil, refuse(NotFound, msgNetworkNotFound, nil)
		}
		return network.RevokeUpdateCredential{CredentialID: credentialID}.Decide(n)
	})
	return credentialRefusal(err)
}
