package tenants

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// The update credentials of a network's stock clients (dyndns2, acme-dns;
// docs/ddns.md): the owner issues, lists and revokes them here, on the
// network aggregate; the ddns service verifies them.

// credentialAttempts bounds the fresh ids and usernames drawn when one is
// taken (one in 2^40 per live credential of the network).
const credentialAttempts = 3

// IssueCredential asks for an update credential (kind update) for the
// tenant's network named Slug, as submitted
// (POST /v1/tenants/{id}/networks/{slug}/credentials).
type IssueCredential struct {
	TenantID ids.TenantID
	Slug     string
}

// IssuedCredential is a new update credential with its secret. The secret
// is shown once, in the answer that issues it: the log holds only its
// hash, and nothing can show it again.
type IssuedCredential struct {
	ID       ids.CredentialID
	Username string
	Secret   string
}

// IssueCredential issues the credential: username <slug>-<8 random
// characters>, secret 32 random bytes in base64url. A network of another
// tenant is not found, like a missing one; a network on its way out (409)
// and one that has network.MaxCredentials of them (409) get none.
func (a *App) IssueCredential(ctx context.Context, cmd IssueCredential) (IssuedCredential, error) {
	slug, networkID, err := a.networkBySlug(ctx, cmd.Slug)
	if err != nil {
		return IssuedCredential{}, err
	}
	secret := newCredentialSecret()
	stored, err := passwords.HashSecret(secret)
	if err != nil {
		return IssuedCredential{}, fmt.Errorf("issue credential: %w", err)
	}
	for range credentialAttempts {
		c := IssuedCredential{ID: ids.New[ids.CredentialID](), Username: slug.String() + "-" + credentialSuffix(), Secret: secret}
		_, err := a.repos.networks.Execute(ctx, networkID.String(), userMeta(cmd.TenantID), func(n network.State) ([]events.Payload, error) {
			if err := ownNetwork(n, cmd.TenantID); err != nil {
				return nil, err
			}
			if err := n.CanIssue(network.CredentialUpdate); err != nil {
				return nil, err
			}
			return network.IssueUpdateCredential{CredentialID: c.ID, Kind: network.CredentialUpdate, Username: c.Username, SecretHash: stored}.Decide(n)
		})
		if errors.Is(err, network.ErrCredentialExists) {
			continue
		}
		if err != nil {
			return IssuedCredential{}, credentialRefusal(err)
		}
		return c, nil
	}
	return IssuedCredential{}, fmt.Errorf("issue credential: %d collisions in a row", credentialAttempts)
}

// newCredentialSecret is 32 random bytes, base64url without padding (43
// characters): nothing in it needs escaping in a URL, a header or a router's
// form.
func newCredentialSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// credentialSuffix is 8 random characters of [a-z2-7] (40 bits), which
// set apart the usernames of one network.
func credentialSuffix() string { return strings.ToLower(rand.Text()[:8]) }
