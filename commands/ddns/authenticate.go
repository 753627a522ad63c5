package ddns

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// Client is a stock client authenticated by an update credential: the
// credential and the network it names. The network acted on is always the
// credential's, never anything the request names.
type Client struct {
	CredentialID ids.CredentialID
	Kind         network.CredentialKind
	NetworkID    ids.NetworkID
	TenantID     ids.TenantID
	Slug         naming.Slug
}

// maxUsername bounds a username worth looking up; issued ones are shorter.
const maxUsername = 64

// Authenticate checks a stock client's username and secret: a credential
// of kind that is not revoked, whose stored hash the secret matches, of a
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
// ErrBadCredentials.
func (s *Service) Authenticate(ctx context.Context, username, secret string, kind network.CredentialKind) (Client, error) {
	if username == "" || len(username) > maxUsername || secret == "" || len(secret) > passwords.MaxLen {
		return Client{}, fmt.Errorf("authenticate: malformed username or secret: %w", ErrBadCredentials)
	}
	c, err := s.d.Credentials.LookupCurrent(ctx, username)
	switch {
	case errors.Is(err, credentials.ErrNotFound):
		passwords.VerifyDummySecret(secret)
		return Client{}, fmt.Errorf("authenticate: unknown username: %w", ErrBadCredentials)
	case errors.Is(err, credentials.ErrBehind):
		return Client{}, fmt.Errorf("authenticate: %w: %w", ErrUnavailable, err)
	case err != nil:
		return Client{}, fmt.Errorf("authenticate: %w", err)
	}
	ok, err := s.d.Passwords.Verify(ctx, c.SecretHash, secret)
	switch {
	case errors.Is(err, passwords.ErrBusy): // an argon2id hash of an older credential
		return Client{}, fmt.Errorf("authenticate: credential %s: %w: %w", c.ID, ErrUnavailable, err)
	case err != nil:
		return Client{}, fmt.Errorf("authenticate: credential %s: %w", c.ID, err)
	}
	switch {
	case !ok:
		return Client{}, fmt.Errorf("authenticate: credential %s: wrong secret: %w", c.ID, ErrBadCredentials)
	case c.Kind != kind:
		return Client{}, fmt.Errorf("authenticate: credential %s is of kind %s: %w", c.ID, c.Kind, ErrBadCredentials)
	case c.Region != s.d.Region:
		return Client{}, fmt.Errorf("authenticate: credential %s of region %s: %w", c.ID, c.Region, ErrNotServedHere)
	case c.NetworkState != network.StatusProvisioning && c.NetworkState != network.StatusActive:
		return Client{}, fmt.Errorf("authenticate: credential %s of a network %s: %w", c.ID, c.NetworkState, ErrBadCredentials)
	}
	return Client{CredentialID: c.ID, Kind: c.Kind, NetworkID: c.NetworkID, TenantID: c.TenantID, Slug: c.Slug}, nil
}

// authorizeClient checks client c against the network aggregate n, the
// authority: the network exists, is the credential's tenant's, still holds
// the credential, is served here and is live.
func (s *Service) authorizeClient(n network.State, c Client) error {
	switch {
	case !n.Exists() || n.TenantID != c.TenantID || !n.HasCredential(c.CredentialID, c.Kind):
		return fmt.Errorf("credential %s is not a live one of network %s: %w", c.CredentialID, c.NetworkID, ErrBadCredentials)
	case n.Region != s.d.Region:
		return fmt.Errorf("network %s of region %s: %w", c.NetworkID, n.Region, ErrNotServedHere)
	case !n.Live():
		return fmt.Errorf("network %s is %s: %w", c.NetworkID, n.Status, ErrBadCredentials)
	}
	return nil
}

// actor is the actor of the events a stock client causes.
func (c Client) actor() string { return "credential:" + c.CredentialID.String() }
