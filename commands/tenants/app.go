package tenants

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Deps is what the commands run on.
type Deps struct {
	Store *events.Store
	// Pool holds the aggregates' snapshots.
	Pool    *pgxpool.Pool
	Keyring Keyring
	Signer  *tokens.Signer
	Mail    Mailer
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

// App is the tenants service's application: it runs every command of
// Commands on its Deps.
type App struct {
	d     Deps
	repos repositories
	codes *codeGuard
}

var _ Commands = (*App)(nil)

// New checks deps and builds the aggregates' repositories.
func New(d Deps) (*App, error) {
	var missing []string
	for _, m := range []struct {
		name   string
		absent bool
	}{
		{"Store", d.Store == nil},
		{"Keyring", d.Keyring == nil},
		{"Signer", d.Signer == nil},
		{"Mail", d.Mail == nil},
		{"CodeLimit/LoginLimit/CodeFailures", d.CodeLimit == nil || d.LoginLimit == nil || d.CodeFailures == nil},
		{"Passwords", d.Passwords == nil},
		{"Regions", len(d.Regions) == 0},
	} {
		if m.absent {
			missing = append(missing, m.name)
		}
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
	return &App{d: d, repos: repos, codes: codes}, nil
}
