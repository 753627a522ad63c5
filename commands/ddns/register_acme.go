package ddns

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// ACMEAccount is an acme-dns account as /register answers it. Password is
// shown once: the log holds only its SHA-256 (passwords.HashSecret).
type ACMEAccount struct {
	// Username is the account's credential id (a UUID, as acme-dns's).
	Username string
	// Password is 40 characters of base64url, as acme-dns's.
	Password string
	// FullDomain is the name whose TXT record the account updates,
	// _acme-challenge.<slug>.<zone>, as acme-dns's is: a certificate for
	// <slug>.<zone> validates there without more, and one for another
	// domain once its _acme-challenge name is a CNAME to it. Subdomain is
	// the network's slug, which /update names.
	FullDomain, Subdomain string
}

// RegisterACME registers an acme-dns account for client c's network (an
// update credential's): a credential of kind acme_dns whose username is its
// id, decided on the network aggregate. A network with
// network.MaxCredentials accounts gets none (ErrAccountLimit); the network
// is checked as authorizeClient does.
func (a *App) RegisterACME(ctx context.Context, c Client) (ACMEAccount, error) {
	if c.Kind != network.CredentialUpdate {
		return ACMEAccount{}, fmt.Errorf("register acme-dns with a %s credential: %w", c.Kind, ErrBadCredentials)
	}
	id := ids.New[ids.CredentialID]()
	password := newACMEPassword()
	stored, err := passwords.HashSecret(password)
	if err != nil {
		return ACMEAccount{}, fmt.Errorf("register acme-dns: %w", err)
	}
	meta := events.Meta{TenantID: c.TenantID.String(), Actor: c.actor()}
	_, err = a.networks.Execute(ctx, c.NetworkID.String(), meta, func(n network.State) ([]events.Payload, error) {
		if err := a.authorizeClient(n, c); err != nil {
			return nil, err
		}
		if err := n.CanIssue(network.CredentialACMEDNS); err != nil {
			return nil, err
		}
		return network.IssueUpdateCredential{CredentialID: id, Kind: network.CredentialACMEDNS, Username: id.String(), SecretHash: stored}.Decide(n)
	})
	switch {
	case errors.Is(err, network.ErrCredentialLimit):
		return ACMEAccount{}, fmt.Errorf("register acme-dns: %w: %w", ErrAccountLimit, err)
	case err != nil:
		return ACMEAccount{}, fmt.Errorf("register acme-dns: %w", err)
	}
	return ACMEAccount{Username: id.String(), Password: password,
		FullDomain: challengeName(c.Slug, a.d.Zone), Subdomain: c.Slug.String()}, nil
}

// challengeName is the name of network slug's ACME DNS-01 challenge under
// zone, _acme-challenge.<slug>.<zone>: the TXT record of the daemon's and
// every acme-dns account's values.
func challengeName(slug naming.Slug, zone string) string {
	return "_acme-challenge." + slug.String() + "." + zone
}

// acmePasswordLen is the length of an acme-dns account's password (its
// X-Api-Key): the length acme-dns's own keys have and its clients may
// check. Authenticate refuses any other at once.
const acmePasswordLen = 40

// newACMEPassword is random bytes in base64url, acmePasswordLen
// characters.
func newACMEPassword() string {
	var b [acmePasswordLen * 3 / 4]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}
