package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// RevokeCredential asks to revoke update credential CredentialID of the
// tenant's network named Slug, both as submitted
// (DELETE /v1/tenants/{id}/networks/{slug}/credentials/{credential_id}).
type RevokeCredential struct {
	TenantID     ids.TenantID
	Slug         string
	CredentialID string
}

// RevokeCredential revokes the credential, of any kind. A credential that
// is not a live one of that network is not found (404), a revoked one
// included.
func (a *App) RevokeCredential(ctx context.Context, cmd RevokeCredential) error {
	_, networkID, err := a.networkBySlug(ctx, cmd.Slug)
	if err != nil {
		return err
	}
	credentialID, err := ids.Parse[ids.CredentialID](cmd.CredentialID)
	if err != nil {
		return refuse(NotFound, msgCredentialNotFound, err)
	}
	_, err = a.repos.networks.Execute(ctx, networkID.String(), userMeta(cmd.TenantID), func(n network.State) ([]events.Payload, error) {
		if err := ownNetwork(n, cmd.TenantID); err != nil {
			return nil, err
		}
		return network.RevokeUpdateCredential{CredentialID: credentialID}.Decide(n)
	})
	return credentialRefusal(err)
}
