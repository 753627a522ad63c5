package ddns

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

// ACMEValues is how many challenge values an acme-dns update keeps: the
// new one and the one before, so that a certificate for a name and its
// wildcard, whose two challenges are at the same name, validates.
const ACMEValues = 2

// ACMETXTLen is the length of an ACME DNS-01 value: a SHA-256 digest in
// base64url without padding. acme-dns takes nothing else.
const ACMETXTLen = 43

// AddACMEChallenge is an acme-dns account's new challenge value (acme-dns
// /update).
type AddACMEChallenge struct {
	// Client is an acme-dns account's.
	Client Client
	// Subdomain must be the account's, the network's slug
	// (ErrWrongSubdomain).
	Subdomain string
	// TXT must be 43 characters of base64url (ErrBadTXT).
	TXT string
}

// AddACMEChallenge adds c.TXT to the account's challenge values, keeping
// its newest ACMEValues values, as acme-dns /update does. Each account has
// values of its own, published at _acme-challenge.<slug>.<zone> beside the
// daemon's and the other accounts' (its fulldomain): none replaces
// another's. A value the account has already appends nothing. The network
// is checked as authorizeClient does.
func (a *App) AddACMEChallenge(ctx context.Context, c AddACMEChallenge) error {
	cl := c.Client
	if cl.Kind != network.CredentialACMEDNS {
		return fmt.Errorf("acme-dns update with a %s credential: %w", cl.Kind, ErrBadCredentials)
	}
	if c.Subdomain != cl.Slug.String() {
		return ErrWrongSubdomain
	}
	if !validTXT(c.TXT) {
		return fmt.Errorf("a value of %d bytes: %w", len(c.TXT), ErrBadTXT)
	}
	meta := events.Meta{TenantID: cl.TenantID.String(), Actor: cl.actor()}
	_, err := a.decideDNS(ctx, cl.NetworkID, meta, func(n network.State) error { return a.authorizeClient(n, cl) },
		report.AddAccountChallenge{CredentialID: cl.CredentialID, Value: c.TXT, Keep: ACMEValues}.Decide)
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
