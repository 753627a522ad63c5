package agent

import (
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/pop"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// verifyPoP checks that r carries a valid proof of possession by pub over
// exactly the bytes of its body and its request target, and returns the body.
func verifyPoP(t *testing.T, r *http.Request, pub ed25519.PublicKey) []byte {
	t.Helper()
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			t.Fatal(err)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(pop.HeaderSignature))
	if err != nil {
		t.Fatalf("signature header: %v", err)
	}
	msg := pop.Message(r.Method, r.URL.RequestURI(), r.Header.Get(pop.HeaderTimestamp), body)
	if !ed25519.Verify(pub, msg, sig) {
		t.Errorf("%s %s: signature does not cover what is sent", r.Method, r.URL.RequestURI())
	}
	return body
}

// TestSignedRequestGolden pins the bytes of signed requests: target, body
// and headers, for a fixed key and clock.
func TestSignedRequestGolden(t *testing.T) {
	clock := newFakeClock()
	st := enrolledState()
	c, _ := newTestClient(t, noNetwork(t), &st, clock)
	key := ed25519.NewKeyFromSeed(testSeed)
	cr := creds{token: "TOKEN", key: key}
	var b strings.Builder
	for _, rq := range []struct {
		method, target string
		body           []byte
		cr             creds
	}{
		{http.MethodGet, "/v1/availability?slug=my-net", nil, cr},
		{http.MethodGet, "/v1/availability?slug=my-net", nil, cr}, // same second: next timestamp
		{http.MethodPost, "/v1/token", []byte(`{"public_key":"` + st.PublicKey + `"}`), creds{key: key}},
		{http.MethodPost, "/v1/networks", []byte(`{"slug":"my-net","region":"local"}`), cr},
		{http.MethodDelete, "/v1/networks/n%2F1/daemons/self", nil, cr},
	} {
		req, err := c.newRequest(t.Context(), rq.method, rq.target, rq.body, rq.cr)
		if err != nil {
			t.Fatal(err)
		}
		body := verifyPoP(t, req, key.Public().(ed25519.PublicKey))
		if string(body) != string(rq.body) {
			t.Errorf("sent body %q, want %q", body, rq.body)
		}
		if req.URL.RequestURI() != rq.target {
			t.Errorf("request target %q, want %q as given", req.URL.RequestURI(), rq.target)
		}
		b.WriteString(req.Method + " " + req.URL.RequestURI() + "\n")
		for _, h := range []string{"Authorization", "Content-Type", pop.HeaderTimestamp, pop.HeaderSignature} {
			b.WriteString(h + ": " + req.Header.Get(h) + "\n")
		}
		b.WriteString("\n" + string(body) + "\n---\n")
	}
	golden := filepath.Join("testdata", "signed_requests.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("signed requests changed:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRequestUnderPathPrefix(t *testing.T) {
	st := enrolledState()
	st.Server = "http://gateway.test/tenants"
	path := filepath.Join(t.TempDir(), "state.json")
	if err := saveState(path, st); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient("http://gateway.test/tenants/", nil, path, WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(testSeed)
	req, err := c.newRequest(t.Context(), http.MethodGet, "/v1/availability?slug=abc", nil, creds{token: "T", key: key})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.URL.RequestURI(); got != "/tenants/v1/availability?slug=abc" {
		t.Errorf("request target %q", got)
	}
	verifyPoP(t, req, key.Public().(ed25519.PublicKey))
}

func TestDecodeAPIError(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{409, `{"error":"slug taken"}`, "slug taken"},
		{401, `{"error":"replayed request"}`, "replayed request"},
		{502, `<html>bad gateway</html>`, "Bad Gateway"},
		{500, ``, "Internal Server Error"},
		{403, `{"error":""}`, "Forbidden"},
		{599, `{}`, "unexpected status"},
	} {
		e := decodeAPIError(tc.status, []byte(tc.body))
		if e.Status != tc.status || e.Message != tc.want {
			t.Errorf("%d %s: %+v, want message %q", tc.status, tc.body, e, tc.want)
		}
	}
	if !decodeAPIError(401, []byte(`{"error":"replayed request"}`)).replayed() {
		t.Error("replayed request not recognised")
	}
}
