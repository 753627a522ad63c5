package ddns

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// maxUsername bounds a username worth looking up; issued ones are shorter.
const maxUsername = 64

// Authenticate is what a stock client presents: a username and a secret
// (never logged, nor kept), to be checked as a credential of Kind.
type Authenticate struct {
	Username, Secret string
	// Kind is the kind the protocol takes: network.CredentialUpdate for
	// dyndns2 and acme-dns /register, network.CredentialACMEDNS (an
	// acme-dns account) for acme-dns /update.
	Kind network.CredentialKind
}

// Authenticate checks a stock client's username and secret: a credential
// of c.Kind that is not revoked, whose stored hash the secret matches, of a
// live network. Anything else is ErrBadCredentials, after the same work
// (an unknown username is checked against a dummy hash); a network of
// another region is ErrNotServedHere. Only the update credentials
// projection is read: the commands that act check the network aggregate
// again, which a revocation reaches first.
//
// A client sees its own writes: a credential issued before the request
// (the tenants API's 201, the 201 of /register) is found even while the
// projection trails the log, since an unknown username waits, bounded, for
// the projection to reach the log's newest network event (Deps.Credentials)
// and is looked up again. When the projection is there already, nothing
// waits; when it does not get there in time and the username is still
// unknown, the answer is ErrUnavailable (try again), never
// ErrBadCredentials. What no credential of c.Kind can be is
// ErrBadCredentials before any lookup (wellFormed).
func (a *App) Authenticate(ctx context.Context, c Authenticate) (Client, error) {
	if !c.wellFormed() {
		return Client{}, fmt.Errorf("authenticate: malformed username or secret: %w", ErrBadCredentials)
	}
	cred, err := a.d.Credentials.LookupCurrent(ctx, c.Username)
	switch {
	case errors.Is(err, credentials.ErrNotFound):
		passwords.VerifyDummySecret(c.Secret)
		return Client{}, fmt.Errorf("authenticate: unknown username: %w", ErrBadCredentials)
	case errors.Is(err, credentials.ErrBehind):
		return Client{}, fmt.Errorf("authenticate: %w: %w", ErrUnavailable, err)
	case err != nil:
		return Client{}, fmt.Errorf("authenticate: %w", err)
	}
	ok, err := a.d.Passwords.Verify(ctx, cred.SecretHash, c.Secret)
	switch {
	case errors.Is(err, passwords.ErrBusy): // an argon2id hash of an older credential
		return Client{}, fmt.Errorf("authenticate: credential %s: %w: %w", cred.ID, ErrUnavailable, err)
	case err != nil:
		return Client{}, fmt.Errorf("authenticate: credential %s: %w", cred.ID, err)
	}
	switch {
	case !ok:
		return Client{}, fmt.Errorf("authenticate: credential %s: wrong secret: %w", cred.ID, ErrBadCredentials)
	case cred.Kind != c.Kind:
		return Client{}, fmt.Errorf("authenticate: credential %s is of kind %s: %w", cred.ID, cred.Kind, ErrBadCredentials)
	case cred.Region != a.d.Region:
		return Client{}, fmt.Errorf("authenticate: credential %s of region %s: %w", cred.ID, cred.Region, ErrNotServedHere)
	case cred.NetworkState != network.StatusProvisioning && cred.NetworkState != network.StatusActive:
		return Client{}, fmt.Errorf("authenticate: credential %s of a network %s: %w", cred.ID, cred.NetworkState, ErrBadCredentials)
	}
	return Client{CredentialID: cred.ID, Kind: cred.Kind, NetworkID: cred.NetworkID, TenantID: cred.TenantID, Slug: cred.Slug}, nil
}

// wellFormed tells whether c could be a credential of its kind at all: a
// username and a secret, neither of them too long to be one, and for an
// acme-dns account the username its id and the secret as long as
// RegisterACME makes them (acme-dns checks both before looking an account
// up).
func (c Authenticate) wellFormed() bool {
	if c.Username == "" || len(c.Username) > maxUsername || c.Secret == "" || len(c.Secret) > passwords.MaxLen {
		return false
	}
	if c.Kind == network.CredentialACMEDNS {
		_, err := ids.Parse[ids.CredentialID](c.Username)
		return err == nil && len(c.Secret) == acmePasswordLen
	}
	return true
}
