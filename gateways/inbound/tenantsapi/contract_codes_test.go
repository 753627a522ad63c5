package tenantsapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A one-time code is good once, for five minutes, for its own purpose
// and email, and an add-daemon code (bound to a tenant) only for
// enrolling (contract §3.5). Every refusal is the same 401 with the same
// body, so that a caller learns nothing of why: not whether the code
// existed, was spent, expired or was meant for something else. Each
// refusal is paired with a control that shows the code itself was good
// for its own use, so the 401 is for the reason under test.
func TestContractCodes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const password = "correct horse battery"

	type refusal struct {
		why string
		r   *reply
	}
	var refusals []refusal
	refused := func(why string, r *reply) {
		t.Helper()
		r.wantError(t, http.StatusUnauthorized, "")
		r.conforms(t)
		if r.cookie() != nil {
			t.Errorf("%s: refused, but set a session cookie", why)
		}
		refusals = append(refusals, refusal{why, r})
	}
	enroll := func(code string) *reply {
		t.Helper()
		return s.do(t, call{method: "POST", path: "/v1/enroll", body: map[string]string{"code": code, "public_key": publicKey(newDaemon(t))}})
	}
	signup := func(email, code string) *reply {
		t.Helper()
		return s.do(t, call{method: "POST", path: "/v1/auth/password/signup",
			body: map[string]string{"email": email, "code": code, "password": password}})
	}
	reset := func(code string) *reply {
		t.Helper()
		return s.do(t, call{method: "POST", path: "/v1/auth/password/reset", body: map[string]string{"code": code, "password": password}})
	}

	// Five minutes: good just before, refused at the mark.
	const hana = "hana@example.com"
	early, late := s.issue(t, hana, "enrollment"), s.issue(t, hana, "enrollment")
	s.Clock.Advance(5*time.Minute - 10*time.Second)
	r := enroll(early)
	var enrolled struct {
		TenantID string `json:"tenant_id"`
	}
	r.decode(t, http.StatusOK, &enrolled)
	hanas := enrolled.TenantID
	s.Clock.Advance(10 * time.Second)
	refused("enrollment code after 5 minutes", enroll(late))

	// Once.
	refused("enrollment code used again", enroll(early))

	// Each purpose for its own use. A refused use does not spend the
	// code: the control then uses it as meant.
	const ivan, judy, kim, leo = "ivan@example.com", "judy@example.com", "kim@example.com", "leo@example.com"
	signupCode := s.issue(t, ivan, "signup")
	refused("signup code for enrolling", enroll(signupCode))
	signup(ivan, signupCode).wantStatus(t, http.StatusNoContent)
	refused("signup code used again", signup(ivan, signupCode))

	enrollmentCode := s.issue(t, judy, "enrollment")
	refused("enrollment code for signing up", signup(judy, enrollmentCode))
	enroll(enrollmentCode).wantStatus(t, http.StatusOK)

	resetCode := s.issue(t, kim, "password_reset")
	refused("password_reset code for signing up", signup(kim, resetCode))
	reset(resetCode).wantStatus(t, http.StatusNoContent) // no account for kim: answered alike

	// For its own email only (the email is normalised first).
	leosCode := s.issue(t, leo, "signup")
	refused("signup code for another email", signup("mallory@example.com", leosCode))
	signup("  Leo@Example.COM ", leosCode).wantStatus(t, http.StatusNoContent)

	// An add-daemon code is bound to its tenant: it enrolls, and signs
	// nobody up, not even with the tenant's own email.
	addDaemon := s.daemonCode(t, s.userToken(t, hanas), hanas)
	refused("add-daemon code for signing up", signup(hana, addDaemon))
	r = enroll(addDaemon)
	r.decode(t, http.StatusOK, &enrolled)
	if enrolled.TenantID != hanas {
		t.Errorf("add-daemon code enrolled into tenant %s, want its own, %s", enrolled.TenantID, hanas)
	}

	// The code is compared exactly as submitted, and at most 64 bytes
	// of it are considered.
	exact := s.issue(t, "mia@example.com", "enrollment")
	refused("unknown code", enroll("AAAAAA"))
	refused("code in lower case", enroll(strings.ToLower(exact)))
	refused("code with a trailing space", enroll(exact+" "))
	refused("code padded to 65 bytes", enroll(exact+strings.Repeat(" ", 65-len(exact))))
	long := strings.Repeat("A", 65)
	refused("65-byte code for enrolling", enroll(long))
	refused("65-byte code for signing up", signup("mia@example.com", long))
	refused("65-byte code for a reset", reset(long))
	refused("64-byte unknown code", enroll(strings.Repeat("A", 64)))
	enroll(exact).wantStatus(t, http.StatusOK)

	// No oracle: every refusal above is the same answer.
	first := refusals[0]
	for _, f := range refusals[1:] {
		if !bytes.Equal(f.r.body, first.r.body) {
			t.Errorf("refusal %q answered %s, refusal %q %s: the reason shows", f.why, f.r.body, first.why, first.r.body)
		}
	}

	s.wantNoSecretsLogged(t, early, late, signupCode, enrollmentCode, resetCode, leosCode, addDaemon, exact, password)
}
