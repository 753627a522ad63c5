package tenantsapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// issuedCredential is the answer of POST …/credentials.
type issuedCredential struct {
	CredentialID string `json:"credential_id"`
	Username     string `json:"username"`
	Secret       string `json:"secret"`
}

// listedCredential is an element of GET …/credentials.
type listedCredential struct {
	CredentialID string    `json:"credential_id"`
	Kind         string    `json:"kind"`
	Username     string    `json:"username"`
	CreatedAt    time.Time `json:"created_at"`
}

func credentialsPath(f tenantFixture) string {
	return "/v1/tenants/" + f.tenant + "/networks/" + f.network.Slug + "/credentials"
}

// issueCredential issues an update credential for f's network as its owner.
func (s *stack) issueCredential(t *testing.T, f tenantFixture) issuedCredential {
	t.Helper()
	var c issuedCredential
	r := s.do(t, call{method: "POST", path: credentialsPath(f), bearer: f.user})
	r.decode(t, http.StatusCreated, &c)
	r.conforms(t)
	return c
}

// listCredentials lists f's network's credentials with a user token.
func (s *stack) listCredentials(t *testing.T, user string, f tenantFixture) []listedCredential {
	t.Helper()
	var cs []listedCredential
	r := s.do(t, call{method: "GET", path: credentialsPath(f), bearer: user})
	r.decode(t, http.StatusOK, &cs)
	r.conforms(t)
	return cs
}

var usernameRE = regexp.MustCompile(`^carols-lab-[a-z2-7]{8}$`)

// The owner issues update credentials for a network: the secret is in
// the answer only (the log holds its argon2id hash, which verifies it),
// the list shows ids and usernames, at most five live ones, and a revoked
// one is gone.
func TestContractUpdateCredentials(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.newAccount(t, "carol@example.com", "carols-lab")

	first := s.issueCredential(t, c)
	if !usernameRE.MatchString(first.Username) {
		t.Errorf("username %q, want the slug, a hyphen and 8 characters of [a-z2-7]", first.Username)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(first.Secret); err != nil || len(raw) != 32 {
		t.Errorf("secret of %d characters is not 32 bytes of base64url (%v)", len(first.Secret), err)
	}
	r := s.do(t, call{method: "POST", path: credentialsPath(c), bearer: c.user})
	r.wantStatus(t, http.StatusCreated)
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q on the answer with the secret, want no-store", got)
	}
	var second issuedCredential
	decodeJSON(t, r.body, &second)
	if second.Secret == first.Secret || second.Username == first.Username || second.CredentialID == first.CredentialID {
		t.Error("two credentials share a secret, username or id")
	}

	// The list: oldest first, never a secret.
	r = s.do(t, call{method: "GET", path: credentialsPath(c), bearer: c.user})
	r.wantStatus(t, http.StatusOK)
	r.conforms(t)
	if strings.Contains(string(r.body), first.Secret) || strings.Contains(string(r.body), "argon2") {
		t.Error("the list shows a secret or its hash")
	}
	var list []listedCredential
	decodeJSON(t, r.body, &list)
	if len(list) != 2 || list[0].CredentialID != first.CredentialID || list[1].CredentialID != second.CredentialID ||
		list[0].Username != first.Username || list[0].Kind != "update" || list[0].CreatedAt.IsZero() {
		t.Fatalf("list %+v, want %s then %s", list, first.CredentialID, second.CredentialID)
	}

	// The log holds the hash, which verifies the secret, and never the
	// secret.
	var hashes int
	for rec, err := range s.Store.Read(context.Background(), events.Query{Subjects: []string{"wardnet.ev.network." + c.network.ID}}) {
		must(t, err)
		raw, err := json.Marshal(rec.Data)
		must(t, err)
		if strings.Contains(string(raw), first.Secret) || strings.Contains(string(raw), second.Secret) {
			t.Errorf("event %d %s holds a secret", rec.Seq, rec.Type)
		}
		if e, ok := rec.Data.(network.UpdateCredentialIssued); ok && e.CredentialID.String() == first.CredentialID {
			hashes++
			if ok, err := s.Passwords.Verify(t.Context(), e.SecretHash, first.Secret); err != nil || !ok {
				t.Errorf("the logged hash does not verify the secret: %v", err)
			}
			if rec.Actor != "user:"+c.tenant || rec.TenantID != c.tenant {
				t.Errorf("issued by %q for tenant %q, want the owner", rec.Actor, rec.TenantID)
			}
		}
	}
	if hashes != 1 {
		t.Fatalf("%d issue events of the first credential, want 1", hashes)
	}

	// Five live ones at most.
	for range network.MaxCredentials - 2 {
		s.issueCredential(t, c)
	}
	r = s.do(t, call{method: "POST", path: credentialsPath(c), bearer: c.user})
	r.wantError(t, http.StatusConflict, "update credential limit reached")
	r.conforms(t)

	// Revoked: gone from the list, not found again, and room for one more.
	r = s.do(t, call{method: "DELETE", path: credentialsPath(c) + "/" + first.CredentialID, bearer: c.user})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	for _, id := range []string{first.CredentialID, otherCredential, "not-an-id"} {
		r = s.do(t, call{method: "DELETE", path: credentialsPath(c) + "/" + id, bearer: c.user})
		r.wantError(t, http.StatusNotFound, "credential not found")
		r.conforms(t)
	}
	if got := s.listCredentials(t, c.user, c); len(got) != network.MaxCredentials-1 || got[0].CredentialID != second.CredentialID {
		t.Fatalf("after the revocation: %+v", got)
	}
	s.issueCredential(t, c)

	// A network that does not exist, and one on its way out.
	for _, m := range []string{"GET", "POST"} {
		r = s.do(t, call{method: m, path: "/v1/tenants/" + c.tenant + "/networks/nobodys-lab/credentials", bearer: c.user})
		r.wantError(t, http.StatusNotFound, "network not found")
		r.conforms(t)
	}
	s.do(t, call{method: "DELETE", path: "/v1/tenants/" + c.tenant + "/networks/" + c.network.Slug, bearer: c.user}).wantStatus(t, http.StatusAccepted)
	r = s.do(t, call{method: "POST", path: credentialsPath(c), bearer: c.user})
	r.wantError(t, http.StatusConflict, "network is being deprovisioned")
	r.conforms(t)
	// Its credentials can still be listed and revoked.
	r = s.do(t, call{method: "DELETE", path: credentialsPath(c) + "/" + second.CredentialID, bearer: c.user})
	r.wantStatus(t, http.StatusNoContent)

	s.wantNoSecretsLogged(t, first.Secret, second.Secret)
}
