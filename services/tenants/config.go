package tenants

import (
	"errors"
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/internal/host"
)

// Name is the service's name: its NATS connection name and the "service"
// attribute of its logs.
const Name = "tenants"

// DefaultHTTPAddr is where the service listens when WARDNET_HTTP_ADDR is
// unset.
const DefaultHTTPAddr = ":8080"

// Mail senders (WARDNET_MAIL_SENDER).
const (
	MailResend = "resend" // production: codes are emailed through Resend
	MailLog    = "log"    // development: codes are logged and echoed by the API
)

// Config is the service's configuration: the settings every service shares
// (see package host) and its own. Secrets come only from files named by
// *_PATH variables. docs/operations.md describes each variable.
type Config struct {
	host.Config
	host.PublicAPI

	// KnownRegions lists the regions networks may be registered in.
	KnownRegions string `envconfig:"WARDNET_KNOWN_REGIONS"`
	// JWTSigningKeyPath is the Ed25519 signing key (PKCS#8 PEM).
	JWTSigningKeyPath string `envconfig:"WARDNET_JWT_SIGNING_KEY_PATH"`
	// JWTVerifyKeyPaths are further public keys (SPKI PEM) that keep
	// verifying and appear in the JWKS: retired keys during a rotation and
	// keys announced before their use.
	JWTVerifyKeyPaths []string `envconfig:"WARDNET_JWT_VERIFY_KEY_PATHS"`
	// CookieKeyPath is the key (≥ 64 bytes) that seals session cookies.
	CookieKeyPath string `envconfig:"WARDNET_COOKIE_KEY_PATH"`
	// DataKeyPath is the master key (≥ 32 bytes) that wraps the data keys
	// personal data is sealed with.
	DataKeyPath string `envconfig:"WARDNET_DATA_KEY_PATH"`
	// MailSender is "resend" or "log".
	MailSender string `envconfig:"WARDNET_MAIL_SENDER"`
	// ResendAPIKeyPath is the Resend API key, for MailSender "resend".
	ResendAPIKeyPath string `envconfig:"WARDNET_RESEND_API_KEY_PATH"`
	// ResendURL is Resend's API base URL.
	ResendURL string `envconfig:"WARDNET_RESEND_URL"`
	// EmailFrom is the sender of code emails.
	EmailFrom string `envconfig:"WARDNET_EMAIL_FROM"`
	// UserTokenTTL is the lifetime of a user JWT.
	UserTokenTTL time.Duration `envconfig:"WARDNET_USER_TOKEN_TTL"`
}

// DefaultConfig is the configuration before the environment is read.
func DefaultConfig() Config {
	c := Config{Config: host.Defaults(), PublicAPI: host.PublicAPIDefaults()}
	c.HTTPAddr = DefaultHTTPAddr
	c.MailSender = MailResend
	c.ResendURL = "https://api.resend.com"
	c.EmailFrom = "wardnet <noreply@wardnet.io>"
	c.UserTokenTTL = 5 * time.Minute
	return c
}

// LoadConfig reads the configuration from the environment (WARDNET_*) over
// the defaults and validates it.
func LoadConfig() (Config, error) { return host.LoadConfig(DefaultConfig()) }

// Validate reports every invalid or missing setting at once.
func (c Config) Validate() error {
	errs := []error{c.Config.Validate(), c.PublicAPI.Validate()} // InvalidConfig drops nil ones
	if _, err := naming.ParseRegions(c.KnownRegions); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_KNOWN_REGIONS (comma-separated, e.g. euc): %w", err))
	}
	for _, p := range []struct{ name, path string }{
		{"WARDNET_JWT_SIGNING_KEY_PATH", c.JWTSigningKeyPath},
		{"WARDNET_COOKIE_KEY_PATH", c.CookieKeyPath},
		{"WARDNET_DATA_KEY_PATH", c.DataKeyPath},
	} {
		if p.path == "" {
			errs = append(errs, fmt.Errorf("%s is required", p.name))
		}
	}
	switch c.MailSender {
	case MailResend:
		if c.ResendAPIKeyPath == "" {
			errs = append(errs, errors.New("WARDNET_RESEND_API_KEY_PATH is required with WARDNET_MAIL_SENDER=resend"))
		}
	case MailLog:
	default:
		errs = append(errs, fmt.Errorf("WARDNET_MAIL_SENDER must be %q or %q, got %q", MailResend, MailLog, c.MailSender))
	}
	if c.UserTokenTTL < time.Minute || c.UserTokenTTL > time.Hour {
		errs = append(errs, fmt.Errorf("WARDNET_USER_TOKEN_TTL must be between 1m and 1h, got %s", c.UserTokenTTL))
	}
	return host.InvalidConfig(errs...)
}
