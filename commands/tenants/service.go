package tenants

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Keyring seals personal data under data keys and destroys keys
// (internal/datakeys.Keyring).
type Keyring interface {
	Seal(ctx context.Context, keyID string, plaintext []byte) (string, error)
	Open(ctx context.Context, sealed string) ([]byte, error)
	Destroy(ctx context.Context, keyID string) error
	Index(value string) string
}

// Limiter admits a bounded number of attempts per key and window, across
// every replica (internal/ratelimit.Limiter).
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, time.Duration, error)
}

// Deps is what the commands run on.
type Deps struct {
	Store *events.Store
	// Pool holds the aggregates' snapshots.
	Pool    *pgxpool.Pool
	Keyring Keyring
	Signer  *tokens.Signer
	Mail    mail.Sender
	Limiters
	// Passwords hashes and verifies passwords under the process's limit.
	Passwords    *passwords.Hasher
	Regions      naming.Regions
	UserTokenTTL time.Duration
	Now          func() time.Time
	Logger       *slog.Logger
	// Registerer gets the commands' metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Service runs the tenants commands.
type Service struct {
	d     Deps
	repos repositories
	codes *codeGuard
}

// New checks deps and builds the aggregates' repositories.
func New(d Deps) (*Service, error) {
	var missing []string
	if d.Store == nil {
		missing = append(missing, "Store")
	}
	if d.Keyring == nil {
		missing = append(missing, "Keyring")
	}
	if d.Signer == nil {
		missing = append(missing, "Signer")
	}
	if d.Mail == nil {
		missing = append(missing, "Mail")
	}
	if d.CodeLimit == nil || d.LoginLimit == nil || d.CodeFailures == nil {
		missing = append(missing, "CodeLimit/LoginLimit/CodeFailures")
	}
	if d.Passwords == nil {
		missing = append(missing, "Passwords")
	}
	if len(d.Regions) == 0 {
		missing = append(missing, "Regions")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("commands: missing %s", strings.Join(missing, ", "))
	}
	if d.UserTokenTTL == 0 {
		d.UserTokenTTL = tokens.DefaultUserTTL
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	repos, err := newRepositories(d.Store, d.Pool)
	if err != nil {
		return nil, err
	}
	codes, err := newCodeGuard(d.CodeFailures, d.CodeBudgets, d.Logger, d.Registerer)
	if err != nil {
		return nil, err
	}
	return &Service{d: d, repos: repos, codes: codes}, nil
}

// Daemon is an authenticated daemon caller: the tenant and network of its
// token and its key. The gateway parses them from the token's claims, so
// the commands trust them.
type Daemon struct {
	TenantID  ids.TenantID
	NetworkID ids.NetworkID // empty for a tenant-scoped token
	Key       ids.DaemonKey
}

// SessionToken names a browser session: its tenant and the random token
// whose hash the session was started with. It travels only inside the
// sealed cookie.
type SessionToken struct {
	TenantID ids.TenantID
	Token    string
}

// String is the cookie's plaintext form.
func (t SessionToken) String() string { return t.TenantID.String() + "." + t.Token }

// ParseSessionToken reads the cookie's plaintext form.
func ParseSessionToken(s string) (SessionToken, error) {
	id, tok, ok := strings.Cut(s, ".")
	tid, err := ids.Parse[ids.TenantID](id)
	if !ok || err != nil || len(tok) != 64 {
		return SessionToken{}, errors.New("malformed session token")
	}
	return SessionToken{TenantID: tid, Token: tok}, nil
}
