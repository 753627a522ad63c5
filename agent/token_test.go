package agent

import (
	"encoding/base64"
	"testing"
	"time"
)

// jwtWith builds a compact token around payload; header and signature are
// placeholders, as a daemon never looks at them.
func jwtWith(payload string) string {
	return "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9." +
		base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

func TestTokenExpiry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		want  int64 // 0: unreadable
	}{
		{"exp", jwtWith(`{"tid":"t","exp":1800003600}`), 1800003600},
		{"fractional exp", jwtWith(`{"exp":1800003600.5}`), 1800003600},
		{"padded payload", "h." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1800000001}`)) + ".s", 1800000001},
		{"url alphabet", jwtWith(`{"sub":"??>>","exp":1800000002}`), 1800000002},
		{"no exp", jwtWith(`{"tid":"t"}`), 0},
		{"exp null", jwtWith(`{"exp":null}`), 0},
		{"exp not a number", jwtWith(`{"exp":"soon"}`), 0},
		{"negative exp", jwtWith(`{"exp":-5}`), 0},
		{"huge exp", jwtWith(`{"exp":1e300}`), 0},
		{"two parts", "a.b", 0},
		{"std base64 payload", "h." + base64.StdEncoding.EncodeToString([]byte(`{"sub":"??>>","exp":1}`)) + ".s", 0},
		{"not json", jwtWith(`exp`), 0},
		{"opaque", "not-a-jwt", 0},
	} {
		got, ok := tokenExpiry(tc.token)
		switch {
		case tc.want == 0 && ok:
			t.Errorf("%s: expiry %v, want unreadable", tc.name, got)
		case tc.want != 0 && (!ok || got.Unix() != tc.want):
			t.Errorf("%s: expiry %v (ok %v), want %d", tc.name, got.Unix(), ok, tc.want)
		}
	}
}

func TestTokenRefreshThreshold(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	c, _ := newTestClient(t, noNetwork(t), &st, clock)
	exp := clock.Now().Add(time.Hour)
	raw := jwtWith(`{"exp":` + itoa(exp.Unix()) + `}`)
	c.mu.Lock()
	c.tok = newCachedToken(raw, clock.Now())
	c.mu.Unlock()

	for _, tc := range []struct {
		at    time.Time
		fresh bool
	}{
		{clock.Now(), true},
		{exp.Add(-RefreshBefore - time.Second), true},
		{exp.Add(-RefreshBefore), true}, // exactly 120 s left: still used
		{exp.Add(-RefreshBefore + time.Second), false},
		{exp, false},
		{exp.Add(time.Hour), false},
	} {
		clock.Set(tc.at)
		tok, _, ok, err := c.cachedCredentials()
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.fresh || (ok && tok != raw) {
			t.Errorf("%v before exp: cached %v, want %v", exp.Sub(tc.at), ok, tc.fresh)
		}
	}
}

func TestTokenFallbackTTL(t *testing.T) {
	minted := time.Unix(1_800_000_000, 0)
	tok := newCachedToken("opaque-token", minted)
	if !tok.expires.Equal(minted.Add(FallbackTTL)) {
		t.Fatalf("expires %v, want minted + %v", tok.expires, FallbackTTL)
	}
	lastUse := minted.Add(FallbackTTL - RefreshBefore) // 180 s
	if !tok.fresh(lastUse) || tok.fresh(lastUse.Add(time.Second)) {
		t.Errorf("an unreadable token is used until %v after minting and no longer", FallbackTTL-RefreshBefore)
	}
}

func TestForgetTokenAndNotEnrolled(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	c, _ := newTestClient(t, noNetwork(t), &st, clock)
	c.mu.Lock()
	c.tok = newCachedToken("opaque", clock.Now())
	c.mu.Unlock()
	if _, _, ok, _ := c.cachedCredentials(); !ok {
		t.Fatal("fresh token not used")
	}
	c.ForgetToken()
	if _, _, ok, _ := c.cachedCredentials(); ok {
		t.Error("token used after ForgetToken")
	}

	empty, _ := newTestClient(t, noNetwork(t), nil, clock)
	if _, err := empty.Token(t.Context()); err == nil || !isNotEnrolled(err) {
		t.Errorf("Token without identity: %v, want ErrNotEnrolled", err)
	}
}

func TestParseClaims(t *testing.T) {
	c, err := ParseClaims(jwtWith(`{"iss":"tenants","tid":"t1","pt":"daemon","sub":"k","net":"n1","cnf":{"ed25519":"k"},"aud":["tenants","ddns","tunneller"],"iat":1,"exp":3601}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantID != "t1" || c.Network != "n1" || len(c.Audience) != 3 || c.ExpiresAt != 3601 || c.Confirmation == nil || c.Confirmation.Ed25519 != "k" {
		t.Errorf("claims %+v", c)
	}
	c, err = ParseClaims(jwtWith(`{"aud":"tenants"}`))
	if err != nil || len(c.Audience) != 1 || c.Audience[0] != "tenants" {
		t.Errorf("single-string aud: %+v, %v", c, err)
	}
	if _, err := ParseClaims("x.y"); err == nil {
		t.Error("ParseClaims accepted a two-part token")
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(jwtWith(`{"exp":1800003600,"aud":["tenants"]}`))
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, raw string) {
		if exp, ok := tokenExpiry(raw); ok && exp.Unix() <= 0 {
			t.Errorf("expiry %v accepted", exp)
		}
		_, _ = ParseClaims(raw)
	})
}
