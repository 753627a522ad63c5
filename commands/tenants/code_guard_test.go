package tenants_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// Each client has so many wrong codes, over every route that takes one;
// right codes and malformed ones do not count.
func TestCodeGuardPerClient(t *testing.T) {
	t.Parallel()
	l := roomy
	l.codeFailures = ratelimit.Limit{Name: "code-failures", Max: 2, Window: time.Hour}
	f := newFixtureWith(t, l)
	ctx := t.Context()
	ip := netip.MustParseAddr("2001:db8::1")
	enrollFrom := func(ip netip.Addr, c code.Code) error {
		_, err := f.app.Enroll(ctx, tenants.Enroll{Code: string(c), PublicKey: newKey(t).String(), Client: ip})
		return err
	}
	for range 3 {
		must(t, enrollFrom(ip, f.code(newEmail("right"), code.PurposeEnrollment)))
		wantRefused(t, enrollFrom(ip, ""), tenants.Unauthorized, "invalid or expired code")
	}
	wantRefused(t, enrollFrom(ip, "WRONG1"), tenants.Unauthorized, "invalid or expired code")
	_, err := f.app.Signup(ctx, tenants.Signup{Email: newEmail("x"), Code: "WRONG2", Password: password, Client: ip})
	wantRefused(t, err, tenants.Unauthorized, "invalid or expired code")
	// The same /64, another route, a right code: refused before it is
	// looked at.
	other := netip.MustParseAddr("2001:db8::2")
	err = f.app.ResetPassword(ctx, tenants.ResetPassword{Code: string(f.code(newEmail("r"), code.PurposePasswordReset)), Password: password, Client: other})
	wantRefused(t, err, tenants.RateLimited, "too many wrong codes; try again later")
	var e *tenants.Error
	if errors.As(err, &e); e.RetryAfter <= 0 {
		t.Errorf("Retry-After %s", e.RetryAfter)
	}
	must(t, enrollFrom(client(), f.code(newEmail("y"), code.PurposeEnrollment))) // another client is not affected
}

// Once the wrong codes of one purpose, from any clients, spend its budget,
// every attempt of that purpose is refused; the others are not affected.
func TestCodeGuardBudget(t *testing.T) {
	t.Parallel()
	l := roomy
	l.budget = ratelimit.Limit{Name: "budget", Max: 3, Window: 5 * time.Minute}
	f := newFixtureWith(t, l)
	ctx := t.Context()
	enroll := func(c string) error {
		_, err := f.app.Enroll(ctx, tenants.Enroll{Code: c, PublicKey: newKey(t).String(), Client: client()})
		return err
	}
	right := f.code(newEmail("right"), code.PurposeEnrollment)
	for range 3 {
		wantRefused(t, enroll("WRONG1"), tenants.Unauthorized, "invalid or expired code")
	}
	wantRefused(t, enroll(string(right)), tenants.RateLimited, "too many wrong codes are being tried; try again later")
	_, err := f.app.Signup(ctx, tenants.Signup{Email: newEmail("x"), Code: "WRONG2", Password: password, Client: client()})
	wantRefused(t, err, tenants.Unauthorized, "invalid or expired code")
}
