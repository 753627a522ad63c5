package host

import (
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DSN is a Postgres connection string (a postgres:// URL or keyword/value
// pairs). It usually carries a password, so every way of printing it —
// fmt's %v, %s and %#v, slog, encoding/json and encoding/text — shows the
// user, hosts and database but never the password or any other parameter.
// string(dsn) is the only way to the raw value; hand it to the driver, never
// to a log.
type DSN string

// redactedDSN is what a DSN that cannot be parsed prints as.
const redactedDSN = "(unparsable connection string, hidden)"

// String renders the connection target without secrets, e.g.
// postgres://tenants:REDACTED@db:5432/tenants.
func (d DSN) String() string {
	if d == "" {
		return ""
	}
	cfg, err := pgconn.ParseConfig(string(d))
	if err != nil {
		return redactedDSN
	}
	hosts := []string{net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))}
	for _, f := range cfg.Fallbacks {
		h := net.JoinHostPort(f.Host, strconv.Itoa(int(f.Port)))
		if h != hosts[len(hosts)-1] {
			hosts = append(hosts, h)
		}
	}
	var b strings.Builder
	b.WriteString("postgres://")
	b.WriteString(url.PathEscape(cfg.User))
	if cfg.Password != "" {
		b.WriteString(":REDACTED")
	}
	b.WriteString("@")
	b.WriteString(strings.Join(hosts, ","))
	b.WriteString("/")
	b.WriteString(url.PathEscape(cfg.Database))
	return b.String()
}

// GoString keeps %#v from printing the raw value.
func (d DSN) GoString() string { return "service.DSN(" + strconv.Quote(d.String()) + ")" }

// LogValue keeps slog from printing the raw value.
func (d DSN) LogValue() slog.Value { return slog.StringValue(d.String()) }

// MarshalText keeps encoding/json and friends from printing the raw value.
func (d DSN) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
