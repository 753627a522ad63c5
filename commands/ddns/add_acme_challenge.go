package ddns

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// ACMEValues is how many challenge values an acme-dns update keeps: the
// new one and the one before, so that a certificate for a name and its
// wildcard, whose two challenges are at the same name, validates.
const ACMEValues = 2

// ACMETXTLen is the length of an ACME DNS-01 value: a SHA-256 digest in
// base64url without padding. acme-dns takes nothing else.
const ACMETXTLen = 43

// AddACMEChallenge adds txt to the challenge values of client c, an
// acme-dns account, keeping its newest ACMEValues values, as acme-dns
// /update does. Each account has values of its own, published at
// _acme-challenge.<slug>.<zone> beside the daemon's and the other
// accounts' (its fulldomain): none replaces another's. subdomain must be
// the account's, the network's slug (ErrWrongSubdomain); txt 43 characters
// of base64url (ErrBadTXT). A value the account has already appends
// nothing. The network is checked as authorizeClient does.
func (s *Service) AddACMEChallenge(ctx context.Context, c Client, subdomain, txt string) error {
	if c.Kind != network.CredentialACMEDNS {
		return fmt.Errorf("acme-dns update with a %s credential: %w", c.Kind, ErrBadCredentials)
	}
	if subdomain != c.Slug.String() {
		return ErrWrongSubdomain
	}
	if !validTXT(txt) {
		return fmt.Errorf("a value of %d bytes: %w", len(txt), ErrBadTXT)
	}
	meta := events.Meta{TenantID: c.TenantID.String(), Actor: c.actor()}
	_, err := s.decideReports(ctx, c.NetworkID, meta, func(n network.State) error { return s.authorizeClient(n, c) },
		dns.AddAccountChallenge{CredentialID: c.CredentialID, Value: txt, Keep: ACMEValues}.Decide)
	return err
}

// validTXT accepts 43 characters of the base64url alphabet.
func validTXT(v string) bool {
	if len(v) != ACMETXTLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
