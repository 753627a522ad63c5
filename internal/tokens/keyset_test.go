package tokens

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJWKSGoldenAndRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedNext), pub(keyFromSeed(t, seedSigning)))
	doc, err := s.Keys().MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "jwks.json", doc)
	if !strings.Contains(string(doc), `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","use":"sig","alg":"EdDSA"}`) {
		t.Errorf("JWKS lacks the RFC 8037 key as RFC 8037 writes it: %s", doc)
	}
	set, err := ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.IDs(), s.Keys().IDs(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("parsed kids %v, want %v", got, want)
	}
	for _, kid := range set.IDs() {
		a, _ := set.Lookup(kid)
		b, _ := s.Keys().Lookup(kid)
		if !a.Equal(b) {
			t.Errorf("key %s differs after the round trip", kid)
		}
	}
}

func TestParseJWKS(t *testing.T) {
	t.Parallel()
	k := pub(keyFromSeed(t, seedSigning))
	x := base64.RawURLEncoding.EncodeToString(k)
	kid := string(Thumbprint(k))
	member := func(extra string) string {
		return `{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"` + kid + `"` + extra + `}`
	}
	rsa := `{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r1"}`

	for _, ok := range []string{
		`{"keys":[` + member("") + `]}`, // use and alg are optional
		`{"keys":[` + rsa + `,` + member(`,"use":"sig","alg":"EdDSA"`) + `]}`,
		`{"keys":[` + member("") + `,` + member("") + `,{"kty":"OKP","crv":"X25519","x":"AA"}]}`,
	} {
		set, err := ParseJWKS([]byte(ok))
		if err != nil || set.Len() != 1 {
			t.Errorf("%s: %d keys, %v", ok, set.Len(), err)
		}
	}
	for name, bad := range map[string]string{
		"not JSON":        `{"keys":`,
		"no keys":         `{"keys":[]}`,
		"only RSA":        `{"keys":[` + rsa + `]}`,
		"encryption only": `{"keys":[` + member(`,"use":"enc"`) + `]}`,
		"wrong kid":       `{"keys":[` + strings.Replace(member(""), kid, "kid-1", 1) + `]}`,
		"no kid":          `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `"}]}`,
		"private part":    `{"keys":[` + member(`,"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"`) + `]}`,
		"short x":         `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x[:40] + `","kid":"` + kid + `"}]}`,
		"padded x":        `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `=","kid":"` + kid + `"}]}`,
		"std base64 x":    `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + base64.StdEncoding.EncodeToString(k) + `","kid":"` + kid + `"}]}`,
	} {
		if _, err := ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := ParseJWKS([]byte(`{"keys":[]}`)); !errors.Is(err, ErrNoKeys) {
		t.Errorf("empty set: %v, want ErrNoKeys", err)
	}
}

func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	h, err := JWKSHandler(s.Keys())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, _ := s.Keys().MarshalJWKS()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || string(body) != string(want) {
		t.Fatalf("GET: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, err = http.Post(srv.URL+JWKSPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

func TestKeySetKey(t *testing.T) {
	t.Parallel()
	k := pub(keyFromSeed(t, seedSigning))
	set, err := NewKeySet(k, k)
	if err != nil || set.Len() != 1 {
		t.Fatalf("duplicate key: %d keys, %v", set.Len(), err)
	}
	if got, err := set.Key(context.Background(), Thumbprint(k)); err != nil || !got.Equal(k) {
		t.Fatalf("Key: %v", err)
	}
	if _, err := set.Key(context.Background(), "nope"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	if _, err := (KeySet{}).Key(context.Background(), Thumbprint(k)); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("zero set: %v", err)
	}
}
