package tenantsapi_test

import (
	"net/http"
	"sync"
	"testing"
)

// A password is hashed only once the code that allows it has been found
// good: 64 concurrent resets with wrong codes, and a signup whose code is
// right but whose account has a password already, compute no hash; a
// reset with a right code computes one.
func TestNoPasswordHashBeforeTheCode(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const password = "attackerpassword1"
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			r := s.do(t, call{method: "POST", path: "/v1/auth/password/reset",
				body: map[string]string{"code": "QQQQQQ", "password": password}})
			r.wantError(t, http.StatusUnauthorized, "invalid or expired code")
		})
	}
	wg.Wait()
	if n := s.Passwords.Computed(); n != 0 {
		t.Fatalf("64 resets with a wrong code computed %d password hashes", n)
	}

	s.signup(t, "nia@example.com", "first password") // one hash
	again := s.issue(t, "nia@example.com", "signup")
	s.do(t, call{method: "POST", path: "/v1/auth/password/signup",
		body: map[string]string{"email": "nia@example.com", "code": again, "password": password}}).
		wantError(t, http.StatusConflict, "an account with a password already exists for this email")
	if n := s.Passwords.Computed(); n != 1 {
		t.Fatalf("a signup refused for an existing password: %d hashes in all, want the first signup's only", n)
	}

	reset := s.issue(t, "nia@example.com", "password_reset")
	s.do(t, call{method: "POST", path: "/v1/auth/password/reset",
		body: map[string]string{"code": reset, "password": password}}).wantStatus(t, http.StatusNoContent)
	if n := s.Passwords.Computed(); n != 2 {
		t.Fatalf("a reset with a right code: %d hashes in all, want 2", n)
	}
}
