package ddns

import "context"

// AdmitUpdate counts one update (dyndns2) or one registration or update
// (acme-dns) by client c, an authenticated credential, and refuses it (a
// *ThrottledError) beyond Deps.UpdateLimit.
func (a *App) AdmitUpdate(ctx context.Context, c Client) error {
	return a.admit(ctx, a.d.UpdateLimit, "credential:"+c.CredentialID.String())
}
