package tenantsapi

import (
	"net/http"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
)

// The update credentials of a network's stock clients (dyndns2, acme-dns),
// which the ddns service verifies: user routes under the network's slug.

// issuedCredentialView is IssuedCredential: the secret, shown once.
type issuedCredentialView struct {
	CredentialID string `json:"credential_id"`
	Username     string `json:"username"`
	Secret       string `json:"secret"`
}

// credentialView is CredentialView: never a secret.
type credentialView struct {
	CredentialID string    `json:"credential_id"`
	Kind         string    `json:"kind"`
	Username     string    `json:"username"`
	CreatedAt    time.Time `json:"created_at"`
}

// issueCredential is POST /v1/tenants/{id}/networks/{slug}/credentials.
// The answer holds the secret, which nothing shows again: no cache may
// keep it.
func (a *api) issueCredential(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	c, err := a.cmd.IssueCredential(r.Context(), tenants.IssueCredential{TenantID: tenant, Slug: r.PathValue("slug")})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	endpoint.WriteJSON(w, http.StatusCreated, issuedCredentialView{CredentialID: c.ID.String(), Username: c.Username, Secret: c.Secret})
}

// listCredentials is GET /v1/tenants/{id}/networks/{slug}/credentials.
func (a *api) listCredentials(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	cs, err := a.cmd.ListCredentials(r.Context(), tenants.ListCredentials{TenantID: tenant, Slug: r.PathValue("slug")})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	out := make([]credentialView, 0, len(cs))
	for _, c := range cs {
		out = append(out, credentialView{CredentialID: c.ID.String(), Kind: string(c.Kind), Username: c.Username, CreatedAt: c.Issued.UTC()})
	}
	endpoint.WriteJSON(w, http.StatusOK, out)
}

// revokeCredential is DELETE
// /v1/tenants/{id}/networks/{slug}/credentials/{credential_id}.
func (a *api) revokeCredential(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	revoke := tenants.RevokeCredential{TenantID: tenant, Slug: r.PathValue("slug"), CredentialID: r.PathValue("credential_id")}
	if err := a.cmd.RevokeCredential(r.Context(), revoke); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
