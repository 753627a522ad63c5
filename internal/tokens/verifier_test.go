package tokens

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestClaimsHelpers(t *testing.T) {
	t.Parallel()
	dk := pub(keyFromSeed(t, seedDaemon))
	net := DaemonClaims(testTenant, dk, testNetwork, fixedNow)
	want := Claims{
		Issuer: "tenants", TenantID: testTenant, Principal: PrincipalDaemon,
		Subject: EncodeKey(dk), Network: testNetwork, Confirmation: &Confirmation{Ed25519: EncodeKey(dk)},
		Audience: []Audience{"tenants", "ddns", "tunneller"},
		IssuedAt: fixedNow.Unix(), ExpiresAt: fixedNow.Unix() + 3600,
	}
	if !reflect.DeepEqual(net, want) {
		t.Errorf("network-scoped daemon claims\n got %+v\nwant %+v", net, want)
	}
	ten := DaemonClaims(testTenant, dk, "", fixedNow)
	if !reflect.DeepEqual(ten.Audience, []Audience{"tenants"}) || ten.NetworkScoped() || ten.ExpiresAt-ten.IssuedAt != 3600 {
		t.Errorf("tenant-scoped daemon claims: %+v", ten)
	}
	u := UserClaims(testTenant, fixedNow, 0)
	if u.Subject != testTenant || u.Confirmation != nil || u.ExpiresAt-u.IssuedAt != 300 ||
		!reflect.DeepEqual(u.Audience, []Audience{"tenants"}) || u.Principal != PrincipalUser {
		t.Errorf("user claims: %+v", u)
	}
	if u := UserClaims(testTenant, fixedNow.Add(999*time.Millisecond), 90*time.Second+500*time.Millisecond); u.IssuedAt != fixedNow.Unix() || u.ExpiresAt != fixedNow.Unix()+90 {
		t.Errorf("user claims with a 90.5 s TTL: iat %d exp %d", u.IssuedAt, u.ExpiresAt)
	}
}

// Tokens minted with the fixed key at a fixed time are pinned: the bytes
// a daemon receives never change silently.
func TestGoldenTokens(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	dk := pub(keyFromSeed(t, seedDaemon))
	for _, tc := range []struct {
		file   string
		claims Claims
	}{
		{"daemon_network.jwt", DaemonClaims(testTenant, dk, testNetwork, fixedNow)},
		{"daemon_tenant.jwt", DaemonClaims(testTenant, dk, "", fixedNow)},
		{"user.jwt", UserClaims(testTenant, fixedNow, DefaultUserTTL)},
	} {
		tok := mustSign(t, s, tc.claims)
		golden(t, tc.file, []byte(tok))
		got, err := NewVerifier(AudienceTenants, s.Keys()).Verify(context.Background(), tok, fixedNow)
		if err != nil || !reflect.DeepEqual(got, tc.claims) {
			t.Errorf("%s: verify: %v\n got %+v\nwant %+v", tc.file, err, got, tc.claims)
		}
	}
	// The header is exactly the contract's plus the kid.
	tok := mustSign(t, s, UserClaims(testTenant, fixedNow, 0))
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if want := `{"alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","typ":"JWT"}`; string(h) != want {
		t.Errorf("header %s, want %s", h, want)
	}
	p, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if want := `{"iss":"tenants","tid":"` + testTenant + `","pt":"user","sub":"` + testTenant + `","aud":["tenants"],"iat":1782907200,"exp":1782907500}`; string(p) != want {
		t.Errorf("payload %s, want %s", p, want)
	}
}

func TestRoundTripPerService(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	dk := pub(keyFromSeed(t, seedDaemon))
	ctx := context.Background()
	netTok := mustSign(t, s, DaemonClaims(testTenant, dk, testNetwork, fixedNow))
	tenTok := mustSign(t, s, DaemonClaims(testTenant, dk, "", fixedNow))
	userTok := mustSign(t, s, UserClaims(testTenant, fixedNow, 0))
	for _, tc := range []struct {
		service Audience
		token   string
		ok      bool
	}{
		{AudienceTenants, netTok, true}, {AudienceDDNS, netTok, true}, {AudienceTunneller, netTok, true},
		{AudienceTenants, tenTok, true}, {AudienceDDNS, tenTok, false}, {AudienceTunneller, tenTok, false},
		{AudienceTenants, userTok, true}, {AudienceDDNS, userTok, false}, {AudienceTunneller, userTok, false},
	} {
		c, err := NewVerifier(tc.service, s.Keys()).Verify(ctx, tc.token, fixedNow.Add(time.Minute))
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.service, err)
		}
		if !tc.ok && !errors.Is(err, ErrAudience) {
			t.Errorf("%s accepted a token for %v: %v", tc.service, c.Audience, err)
		}
		if tc.ok && c.Principal == PrincipalDaemon {
			if k, err := c.ConfirmationKey(); err != nil || !k.Equal(dk) {
				t.Errorf("cnf key: %v", err)
			}
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	signing := keyFromSeed(t, seedSigning)
	foreign := keyFromSeed(t, seedNext)
	s := newSigner(t, signing)
	kid := s.KeyID()
	dk := pub(keyFromSeed(t, seedDaemon))
	good := DaemonClaims(testTenant, dk, testNetwork, fixedNow)
	goodTok := mustSign(t, s, good)
	exp := time.Unix(good.ExpiresAt, 0)
	parts := strings.Split(goodTok, ".")

	with := func(f func(c *Claims)) Claims {
		c := good
		c.Audience = append([]Audience(nil), good.Audience...)
		cnf := *good.Confirmation
		c.Confirmation = &cnf
		f(&c)
		return c
	}
	tamperedPayload := func() string {
		p, _ := base64.RawURLEncoding.DecodeString(parts[1])
		p = []byte(strings.Replace(string(p), testTenant, "ffffffff-6f3a-4a55-9a43-8f5a1f2b9c10", 1))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
	}()
	tamperedSig := func() string {
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sig[10] ^= 1
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	}()
	hs256 := func(secret []byte) string {
		h, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": string(kid)})
		signing := base64.RawURLEncoding.EncodeToString(h) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	pubPEM, _ := MarshalPublicKeyPEM(pub(signing))
	payloadJSON := func(f func(m map[string]any)) []byte {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		f(m)
		b, _ = json.Marshal(m)
		return b
	}

	for _, tc := range []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"expired exactly at exp", goodTok, exp, ErrExpired},
		{"expired after exp", goodTok, exp.Add(time.Hour), ErrExpired},
		{"wrong issuer", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Issuer = "ddns" })), fixedNow, ErrIssuer},
		{"no issuer", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Issuer = "" })), fixedNow, ErrIssuer},
		{"tampered payload", tamperedPayload, fixedNow, ErrSignature},
		{"tampered signature", tamperedSig, fixedNow, ErrSignature},
		{"signature cut", parts[0] + "." + parts[1] + ".", fixedNow, ErrSignature},
		{"foreign signer claiming our kid", signRaw(t, foreign, edHeader(kid), good), fixedNow, ErrSignature},
		{"foreign signer, own kid", mustSign(t, newSigner(t, foreign), good), fixedNow, ErrUnknownKey},
		{"no kid", signRaw(t, signing, map[string]any{"alg": "EdDSA", "typ": "JWT"}, good), fixedNow, ErrUnknownKey},
		{"kid not a string", signRaw(t, signing, map[string]any{"alg": "EdDSA", "kid": 7}, good), fixedNow, ErrUnknownKey},
		{"aud other service", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Audience = []Audience{"ddns", "tunneller"} })), fixedNow, ErrAudience},
		{"aud empty", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Audience = []Audience{} })), fixedNow, ErrAudience},
		{"aud missing", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { delete(m, "aud") })), fixedNow, ErrAudience},
		{"aud a string", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { m["aud"] = "tenants" })), fixedNow, ErrMalformed},
		{"exp missing", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { delete(m, "exp") })), fixedNow, ErrExpired},
		// exp and iat are integer Unix seconds (contract §3.1). The values
		// are raw JSON: a float64 such as 1.5e10 would marshal as the
		// integer 15000000000, which is a valid exp.
		{"exp fractional", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { m["exp"] = json.RawMessage("1782910800.5") })), fixedNow, ErrMalformed},
		{"exp exponent notation", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { m["exp"] = json.RawMessage("1.5e10") })), fixedNow, ErrMalformed},
		{"exp a string", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { m["exp"] = "1782910800" })), fixedNow, ErrMalformed},
		{"iat fractional", signRaw(t, signing, edHeader(kid), payloadJSON(func(m map[string]any) { m["iat"] = json.RawMessage("1782907200.25") })), fixedNow, ErrMalformed},
		{"alg none", signRaw(t, nil, map[string]any{"alg": "none", "kid": string(kid)}, good), fixedNow, ErrAlgorithm},
		{"alg missing", signRaw(t, signing, map[string]any{"kid": string(kid)}, good), fixedNow, ErrAlgorithm},
		{"alg unknown", signRaw(t, signing, map[string]any{"alg": "Ed448", "kid": string(kid)}, good), fixedNow, ErrAlgorithm},
		{"HS256, raw public key as secret", hs256(pub(signing)), fixedNow, ErrAlgorithm},
		{"HS256, public PEM as secret", hs256(pubPEM), fixedNow, ErrAlgorithm},
		{"daemon without cnf", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Confirmation = nil })), fixedNow, ErrClaims},
		{"daemon cnf 31 bytes", signRaw(t, signing, edHeader(kid), with(func(c *Claims) {
			c.Confirmation.Ed25519 = EncodeKey(dk[:31])
			c.Subject = c.Confirmation.Ed25519
		})), fixedNow, ErrClaims},
		{"daemon cnf not base64", signRaw(t, signing, edHeader(kid), with(func(c *Claims) {
			c.Confirmation.Ed25519 = "not base64!"
			c.Subject = c.Confirmation.Ed25519
		})), fixedNow, ErrClaims},
		{"daemon sub is not cnf", signRaw(t, signing, edHeader(kid), with(func(c *Claims) {
			c.Subject = EncodeKey(pub(foreign))
		})), fixedNow, ErrClaims},
		{"unknown principal", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.Principal = "service" })), fixedNow, ErrClaims},
		{"no tenant", signRaw(t, signing, edHeader(kid), with(func(c *Claims) { c.TenantID = "" })), fixedNow, ErrClaims},
		{"empty", "", fixedNow, ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], fixedNow, ErrMalformed},
		{"four segments", goodTok + ".x", fixedNow, ErrMalformed},
		{"padded segment", parts[0] + "=." + parts[1] + "." + parts[2], fixedNow, ErrMalformed},
		{"oversized", goodTok + strings.Repeat("A", MaxTokenLen), fixedNow, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewVerifier(AudienceTenants, s.Keys()).Verify(context.Background(), tc.token, tc.now)
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	// A nanosecond before exp the token still verifies: no leeway either way.
	if _, err := NewVerifier(AudienceTenants, s.Keys()).Verify(context.Background(), goodTok, exp.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("just before exp: %v", err)
	}
}

// Rotation: the new key signs, the retired one keeps verifying while the
// Signer publishes it, and stops once it is removed.
func TestRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	oldKey, newKey := keyFromSeed(t, seedSigning), keyFromSeed(t, seedNext)
	before := newSigner(t, oldKey)
	announced := newSigner(t, oldKey, pub(newKey))
	rotated := newSigner(t, newKey, pub(oldKey))
	after := newSigner(t, newKey)

	claims := UserClaims(testTenant, fixedNow, 0)
	oldTok, newTok := mustSign(t, before, claims), mustSign(t, rotated, claims)
	if before.KeyID() == rotated.KeyID() || rotated.KeyID() != Thumbprint(pub(newKey)) {
		t.Fatal("kid does not follow the signing key")
	}
	if got := rotated.Keys().IDs(); len(got) != 2 || got[0] != rotated.KeyID() {
		t.Fatalf("rotated signer publishes %v, want the current key first", got)
	}
	for _, tc := range []struct {
		name      string
		keys      KeySet
		oldOK     bool
		newOK     bool
		newErrWas error
	}{
		{"before", before.Keys(), true, false, ErrUnknownKey},
		{"announced", announced.Keys(), true, true, nil},
		{"rotated", rotated.Keys(), true, true, nil},
		{"after", after.Keys(), false, true, nil},
	} {
		v := NewVerifier(AudienceTenants, tc.keys)
		_, errOld := v.Verify(ctx, oldTok, fixedNow)
		_, errNew := v.Verify(ctx, newTok, fixedNow)
		if (errOld == nil) != tc.oldOK || (errNew == nil) != tc.newOK {
			t.Errorf("%s: old token err %v, new token err %v", tc.name, errOld, errNew)
		}
		if !tc.oldOK && !errors.Is(errOld, ErrUnknownKey) {
			t.Errorf("%s: removed key: %v, want ErrUnknownKey", tc.name, errOld)
		}
	}
}

func TestSignRefusesBadClaims(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	dk := pub(keyFromSeed(t, seedDaemon))
	for name, f := range map[string]func(c *Claims){
		"issuer":      func(c *Claims) { c.Issuer = "ddns" },
		"no aud":      func(c *Claims) { c.Audience = nil },
		"no cnf":      func(c *Claims) { c.Confirmation = nil },
		"exp ≤ iat":   func(c *Claims) { c.ExpiresAt = c.IssuedAt },
		"sub ≠ cnf":   func(c *Claims) { c.Subject = testTenant },
		"unknown pt":  func(c *Claims) { c.Principal = "" },
		"no tenant":   func(c *Claims) { c.TenantID = "" },
		"user w/ cnf": func(c *Claims) { c.Principal = PrincipalUser },
	} {
		c := DaemonClaims(testTenant, dk, testNetwork, fixedNow)
		f(&c)
		if _, err := s.Sign(c); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := NewSigner(keyFromSeed(t, seedSigning)[:10]); err == nil {
		t.Error("signer from a short key")
	}
	if _, err := NewSigner(keyFromSeed(t, seedSigning), dk[:5]); err == nil {
		t.Error("signer with a short published key")
	}
}
