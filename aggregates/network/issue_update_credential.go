package network

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// IssueUpdateCredential issues a credential for the network's stock
// clients. The application draws the id, the username and the secret, and
// hashes the secret (argon2id) before deciding: the aggregate sees only
// the hash.
type IssueUpdateCredential struct {
	CredentialID ids.CredentialID
	Kind         CredentialKind
	Username     string
	SecretHash   string
}

// Decide returns UpdateCredentialIssued on a live network (provisioning or
// active) that holds fewer than MaxCredentials live credentials of the
// kind; ErrWrongState on any other network, ErrCredentialLimit at the
// limit, and ErrCredentialExists when the id or the username is a live
// credential's already.
func (c IssueUpdateCredential) Decide(s State) ([]events.Payload, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("issue update credential: %w", err)
	}
	if err := s.CanIssue(c.Kind); err != nil {
		return nil, err
	}
	_, taken := s.credentials(c.Kind, c.Username)
	if _, ok := s.Credentials[c.CredentialID]; ok || taken {
		return nil, fmt.Errorf("issue update credential %s: %w", c.CredentialID, ErrCredentialExists)
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{UpdateCredentialIssued{
		CredentialID: c.CredentialID,
		Kind:         c.Kind,
		Username:     c.Username,
		SecretHash:   c.SecretHash,
	}}, nil
}

// CanIssue reports whether the network takes one more credential of kind:
// ErrWrongState when it is not live (provisioning or active),
// ErrCredentialLimit when it holds MaxCredentials live ones of the kind.
// Decide checks the same; an application asks first, so that it hashes a
// secret only for a credential that can be issued.
func (s State) CanIssue(kind CredentialKind) error {
	if !s.Live() {
		return fmt.Errorf("issue update credential (%s): %w", s.statusName(), ErrWrongState)
	}
	if n, _ := s.credentials(kind, ""); n >= MaxCredentials {
		return fmt.Errorf("issue %s credential: %d live: %w", kind, n, ErrCredentialLimit)
	}
	return nil
}

// validate catches what only a programming error produces: the
// application draws these values itself.
func (c IssueUpdateCredential) validate() error {
	switch {
	case c.CredentialID == "" || c.Username == "":
		return errors.New("credential id and username are required")
	case !c.Kind.Valid():
		return fmt.Errorf("unknown credential kind %q", c.Kind)
	case strings.ContainsAny(c.Username, ":\x00") || len(c.Username) > 64:
		return errors.New("a username is at most 64 bytes, without ':'")
	case !strings.HasPrefix(c.SecretHash, "$sha256$") && !strings.HasPrefix(c.SecretHash, "$argon2id$"):
		return errors.New("the secret hash must be a $sha256$ or $argon2id$ string")
	}
	return nil
}
