package tenants_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// A code is recorded with its email sealed under the key of the day and
// found by the email's index, mailed, and answered only when the mailer
// echoes codes.
func TestIssueCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	echo, err := f.app.IssueCode(ctx, tenants.IssueCode{Email: " " + alice + " ", Purpose: "signup", Client: client()})
	must(t, err)
	if echo != "" {
		t.Errorf("a mailer that does not echo: answered %q", echo)
	}
	c := f.lastCode(alice)
	f.wantLog(code.Type, c.Hash(), code.Issued{Purpose: code.PurposeSignup, Email: f.sealedEmail(c),
		EmailIndex: personal.EmailIndex(f.emailIndex(alice)), ExpiresAt: f.clock.Now().Add(code.TTL)})
	if opened, err := f.keys.Open(ctx, string(f.sealedEmail(c))); err != nil || string(opened) != alice {
		t.Errorf("the code's email opens to %q (%v)", opened, err)
	}

	f.mail.echo = true
	echo, err = f.app.IssueCode(ctx, tenants.IssueCode{Email: alice, Purpose: "enrollment", Client: client()})
	must(t, err)
	if got := f.mail.to(alice); echo == "" || len(got) != 2 || got[1] != (mailed{echo, code.PurposeEnrollment}) {
		t.Errorf("echoed %q, mailed %v", echo, got)
	}

	f.mail.fail = errors.New("mail down")
	if _, err := f.app.IssueCode(ctx, tenants.IssueCode{Email: alice, Purpose: "signup", Client: client()}); err == nil || tenants.KindOf(err) != 0 {
		t.Errorf("a failed mail: %v, want an internal error", err)
	}

	for _, tc := range []struct{ name, email, purpose, msg string }{
		{"malformed email", "alice", "signup", "invalid email"},
		{"unknown purpose", alice, "login", "purpose must be signup, password_reset, password_change or enrollment"},
	} {
		_, err := f.app.IssueCode(ctx, tenants.IssueCode{Email: tc.email, Purpose: tc.purpose, Client: client()})
		wantRefused(t, err, tenants.BadRequest, tc.msg)
	}
}

// Each client may ask for so many codes in a window, across replicas.
func TestIssueCodeLimit(t *testing.T) {
	t.Parallel()
	l := roomy
	l.codes = ratelimit.Limit{Name: "codes", Max: 2, Window: time.Hour}
	f := newFixtureWith(t, l)
	ip := netip.MustParseAddr("192.0.2.7")
	for range 2 {
		_, err := f.app.IssueCode(t.Context(), tenants.IssueCode{Email: newEmail("bob"), Purpose: "signup", Client: ip})
		must(t, err)
	}
	_, err := f.app.IssueCode(t.Context(), tenants.IssueCode{Email: newEmail("bob"), Purpose: "signup", Client: ip})
	wantRefused(t, err, tenants.RateLimited, "too many verification codes requested; try again later")
	var e *tenants.Error
	if errors.As(err, &e); e.RetryAfter <= 0 {
		t.Errorf("Retry-After %s", e.RetryAfter)
	}
	if _, err := f.app.IssueCode(t.Context(), tenants.IssueCode{Email: newEmail("bob"), Purpose: "signup", Client: client()}); err != nil {
		t.Errorf("another client: %v", err)
	}
}

// sealedEmail is the sealed email code c was issued with.
func (f *fixture) sealedEmail(c code.Code) personal.Sealed {
	f.t.Helper()
	for _, p := range f.log(code.Type, c.Hash()) {
		if issued, ok := p.(code.Issued); ok {
			return issued.Email
		}
	}
	f.t.Fatalf("code %s was not issued", c.Hash())
	return ""
}
