package commands

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// ACMEAccount is an acme-dns account as /register answers it. Password is
// shown once: the log holds only its argon2id hash.
type ACMEAccount struct {
	// Username is the account's credential id (a UUID, as acme-dns's).
	Username string
	// Password is 40 characters of base64url, as acme-dns's.
	Password string
	// FullDomain is the network's name, <slug>.<zone>; Subdomain its slug.
	FullDomain, Subdomain string
}

// RegisterACME registers an acme-dns account for client c's network (an
// update credential's): a credential of kind acme_dns whose username is its
// id, decided on the network aggregate. A network with
// network.MaxCredentials accounts gets none (ErrAccountLimit); the network
// is checked as authorizeClient does.
func (s *Service) RegisterACME(ctx context.Context, c Client) (ACMEAccount, error) {
	if c.Kind != network.CredentialUpdate {
		return ACMEAccount{}, fmt.Errorf("register acme-dns with a %s credential: %w", c.Kind, ErrBadCredentials)
	}
	id := naming.NewID()
	password := newACMEPassword()
	var phc string // hashed once, and only for an account that can be registered
	meta := events.Meta{TenantID: c.TenantID.String(), Actor: c.actor()}
	_, err := s.networks.Execute(ctx, c.NetworkID.String(), meta, func(n network.State) ([]events.Payload, error) {
		if err := s.authorizeClient(n, c); err != nil {
			return nil, err
		}
		if err := n.CanIssue(network.CredentialACMEDNS); err != nil {
			return nil, err
		}
		if phc == "" {
			h, err := passwords.Hash(password)
			if err != nil {
				return nil, fmt.Errorf("register acme-dns: %w", err)
			}
			phc = h
		}
		return network.IssueUpdateCredential{CredentialID: id, Kind: network.CredentialACMEDNS, Username: id.String(), SecretHash: phc}.Decide(n)
	})
	switch {
	case errors.Is(err, network.ErrCredentialLimit):
		return ACMEAccount{}, fmt.Errorf("register acme-dns: %w: %w", ErrAccountLimit, err)
	case err != nil:
		return ACMEAccount{}, fmt.Errorf("register acme-dns: %w", err)
	}
	return ACMEAccount{Username: id.String(), Password: password,
		FullDomain: c.Slug.String() + "." + s.d.Zone, Subdomain: c.Slug.String()}, nil
}

// newACMEPassword is 30 random bytes in base64url: 40 characters, the
// length acme-dns's own keys have and its clients may check.
func newACMEPassword() string {
	var b [30]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}
