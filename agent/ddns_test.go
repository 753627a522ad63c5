package agent

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

const testDDNS = "http://ddns.test:8081"

// registeredState is enrolledState bound to a network.
func registeredState() state {
	st := enrolledState()
	st.NetworkID, st.Slug, st.Region = "0b7e5e8e-0000-4000-8000-000000000002", "home", "local"
	return st
}

// fakeDDNS answers token mints (tenants) and ddns calls, checks every
// proof of possession, and records the ddns calls.
type fakeDDNS struct {
	t      *testing.T
	clock  *testenv.Clock
	mu     sync.Mutex
	calls  []string // "METHOD target body"
	status int      // of ddns answers; 204 when 0
}

func (f *fakeDDNS) RoundTrip(r *http.Request) (*http.Response, error) {
	body := verifyPoP(f.t, r, testPublicKey())
	switch {
	case r.URL.Host == "tenants.test:8080" && r.URL.Path == "/v1/token":
		return answer(200, `{"token":"`+jwtWith(`{"net":"n","exp":`+itoa(f.clock.Now().Add(time.Hour).Unix())+`}`)+`"}`), nil
	case r.URL.Host == "ddns.test:8081":
		if r.Header.Get("Authorization") == "" {
			f.t.Errorf("%s %s without a token", r.Method, r.URL)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI()+" "+string(body))
		if f.status != 0 {
			return answer(f.status, `{"error":"ip must be a public address"}`), nil
		}
		return answer(204, ""), nil
	}
	f.t.Errorf("unexpected %s %s", r.Method, r.URL)
	return nil, errors.New("unexpected request")
}

func (f *fakeDDNS) taken() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func newDDNSClient(t *testing.T, st *state) (*Client, *fakeDDNS, string) {
	t.Helper()
	clock := newFakeClock()
	f := &fakeDDNS{t: t, clock: clock}
	path := filepath.Join(t.TempDir(), "agent", "state.json")
	if st != nil {
		if err := saveState(path, *st); err != nil {
			t.Fatal(err)
		}
	}
	c, err := NewClient(testServer, &http.Client{Transport: f}, path, WithDDNS(testDDNS+"/"), WithLogger(discardLogger()), WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return c, f, path
}

// The ddns calls go to the ddns URL with the network-scoped token and a
// proof of possession over exactly what is sent; reported addresses are
// remembered per family, and an unchanged one is not sent again.
func TestReportIPAndChallenge(t *testing.T) {
	st := registeredState()
	c, f, path := newDDNSClient(t, &st)
	ctx := t.Context()

	for _, ip := range []string{"203.0.114.7", " 2a01:4f8::1 "} {
		if err := c.ReportIP(ctx, ip); err != nil {
			t.Fatal(err)
		}
	}
	if _, sent, err := c.ReportIPIfChanged(ctx, FixedAddress("203.0.114.7")); err != nil || sent {
		t.Fatalf("unchanged address: sent %v, %v", sent, err)
	}
	if _, sent, err := c.ReportIPIfChanged(ctx, FixedAddress("2A01:4F8:0::1")); err != nil || sent {
		t.Fatalf("unchanged address spelled otherwise: sent %v, %v", sent, err)
	}
	if _, sent, err := c.ReportIPIfChanged(ctx, FixedAddress("203.0.114.8")); err != nil || !sent {
		t.Fatalf("new address: sent %v, %v", sent, err)
	}
	if err := c.SetChallenge(ctx, []string{"v1", "v2"}); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearChallenge(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`PUT /v1/ip {"ip":"203.0.114.7"}`,
		`PUT /v1/ip {"ip":"2a01:4f8::1"}`,
		`PUT /v1/ip {"ip":"203.0.114.8"}`,
		`PUT /v1/acme-challenge {"values":["v1","v2"]}`,
		`DELETE /v1/acme-challenge `,
	}
	if got := f.taken(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	saved, _, err := loadState(path)
	if err != nil || saved.LastIPv4 != "203.0.114.8" || saved.LastIPv6 != "2a01:4f8::1" {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	if s := c.Status(); s.DDNS != testDDNS || s.LastIPv4 != "203.0.114.8" {
		t.Errorf("status %+v", s)
	}

	// A refused address is not remembered.
	f.mu.Lock()
	f.status = 400
	f.mu.Unlock()
	err = c.ReportIP(ctx, "10.0.0.1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("refused report: %v", err)
	}
	if s := c.Status(); s.LastIPv4 != "203.0.114.8" {
		t.Errorf("a refused address was remembered: %q", s.LastIPv4)
	}
}

// Without a ddns URL, an identity or a network, nothing is sent.
func TestDDNSCallsNeedAURLAnIdentityAndANetwork(t *testing.T) {
	ctx := t.Context()
	enrolled, registered := enrolledState(), registeredState()

	c, _ := newTestClient(t, noNetwork(t), &registered, nil) // no WithDDNS
	if err := c.ReportIP(ctx, "203.0.114.7"); !errors.Is(err, ErrNoDDNS) {
		t.Errorf("without a ddns URL: %v", err)
	}
	c, f, _ := newDDNSClient(t, nil)
	if err := c.SetChallenge(ctx, []string{"v"}); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("not enrolled: %v", err)
	}
	if got := f.taken(); len(got) != 0 {
		t.Errorf("sent %q", got)
	}
	c, f, _ = newDDNSClient(t, &enrolled)
	if err := c.ClearChallenge(ctx); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("not registered: %v", err)
	}
	if _, _, err := c.ReportIPIfChanged(ctx, FixedAddress("")); err == nil {
		t.Error("an empty fixed address was reported")
	}
	if got := f.taken(); len(got) != 0 {
		t.Errorf("sent %q", got)
	}
	if _, err := NewClient(testServer, nil, filepath.Join(t.TempDir(), "s.json"), WithDDNS("ftp://ddns")); err == nil {
		t.Error("a ddns URL that is not http(s) was accepted")
	}
}

// TestSignedDDNSRequestGolden pins the bytes of the ddns requests for a
// fixed key and clock, as TestSignedRequestGolden does for tenants.
func TestSignedDDNSRequestGolden(t *testing.T) {
	clock := newFakeClock()
	st := registeredState()
	path := filepath.Join(t.TempDir(), "state.json")
	if err := saveState(path, st); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(testServer, &http.Client{Transport: noNetwork(t)}, path,
		WithDDNS(testDDNS), WithLogger(discardLogger()), WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(testSeed)
	cr := creds{token: "TOKEN", key: key}
	var b strings.Builder
	for _, rq := range []struct {
		method, target string
		body           []byte
	}{
		{http.MethodPut, "/v1/ip", []byte(`{"ip":"203.0.114.7"}`)},
		{http.MethodPut, "/v1/ip", []byte(`{"ip":"2a01:4f8::1"}`)},
		{http.MethodPut, "/v1/acme-challenge", []byte(`{"values":["v1","v2"]}`)},
		{http.MethodDelete, "/v1/acme-challenge", nil},
	} {
		req, err := c.newRequestTo(context.Background(), c.ddns, rq.method, rq.target, rq.body, cr)
		if err != nil {
			t.Fatal(err)
		}
		body := verifyPoP(t, req, key.Public().(ed25519.PublicKey))
		b.WriteString(req.Method + " " + req.URL.String() + "\n")
		for _, h := range []string{"Authorization", "Content-Type", pop.HeaderTimestamp, pop.HeaderSignature} {
			b.WriteString(h + ": " + req.Header.Get(h) + "\n")
		}
		b.WriteString("\n" + string(body) + "\n---\n")
	}
	golden := filepath.Join("testdata", "signed_ddns_requests.golden")
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
