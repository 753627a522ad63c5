package ddns_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nrdcg/goacmedns"
)

// The stock clients end to end: the owner issues an update credential at
// tenants; a router's dyndns2 update with it, sent at once, puts the
// address at the fake Cloudflare; an ACME client (goacmedns, lego's)
// registers an acme-dns account with it and publishes at once at the
// account's fulldomain, _acme-challenge.<slug>.<zone>, two values, which
// both appear, and a third, which replaces its oldest. The daemon's own
// challenge shares the name without either replacing the other; the
// daemon's clear removes its own only, and a revoked account's values go.
func TestEndToEndStockClients(t *testing.T) {
	t.Parallel()
	s := startSystem(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	daemon := s.agent("daemon")
	code, err := daemon.RequestCode(ctx, "carl@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tenantID, err := daemon.Enroll(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := daemon.RegisterNetwork(ctx, "carls-lab", "", "local"); err != nil {
		t.Fatal(err)
	}
	host := "carls-lab." + s.zone
	acme := "_acme-challenge." + host
	owner := s.person("carl@example.com")
	credentials := "/v1/tenants/" + string(tenantID) + "/networks/carls-lab/credentials"
	var cred stockCredential
	owner.send("POST", credentials, nil, &cred)

	// dyndns2, as a router sends it, the moment tenants has answered.
	if got := s.dyndns2(ctx, cred, host, "203.0.114.30"); got != "good 203.0.114.30" {
		t.Fatalf("first update: %q", got)
	}
	s.waitRecords("dyndns2 update", []string{"A " + host + " 203.0.114.30 120"}, host, acme)
	if got := s.dyndns2(ctx, cred, host, "203.0.114.30"); got != "nochg 203.0.114.30" {
		t.Errorf("the same address again: %q", got)
	}

	// acme-dns: register with the update credential, then two values at
	// once, at the account's fulldomain.
	client := s.goacmedns(cred)
	acc, err := client.RegisterAccount(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acc.FullDomain != acme || acc.SubDomain != "carls-lab" {
		t.Fatalf("account for %q, subdomain %q", acc.FullDomain, acc.SubDomain)
	}
	txt := func(v string) string {
		value := strings.Repeat(v, 43)
		if err := client.UpdateTXTRecord(ctx, acc, value); err != nil {
			t.Fatalf("update %s: %v", v, err)
		}
		return value
	}
	a4 := "A " + host + " 203.0.114.30 120"
	rec := func(v string) string { return "TXT " + acc.FullDomain + " " + v + " 60" }
	a, b := txt("a"), txt("b")
	s.waitRecords("two acme-dns values", []string{a4, rec(a), rec(b)}, host, acme)

	// The daemon's challenge beside the account's: neither replaces the
	// other.
	if err := daemon.SetChallenge(ctx, []string{"daemon-token"}); err != nil {
		t.Fatal(err)
	}
	s.waitRecords("the daemon's value beside the account's", []string{a4, rec(a), rec(b), rec("daemon-token")}, host, acme)
	c := txt("c")
	s.waitRecords("the account's oldest value dropped", []string{a4, rec(b), rec(c), rec("daemon-token")}, host, acme)
	if err := daemon.ClearChallenge(ctx); err != nil {
		t.Fatal(err)
	}
	s.waitRecords("the daemon's value cleared", []string{a4, rec(b), rec(c)}, host, acme)
	if err := daemon.SetChallenge(ctx, []string{"daemon-token"}); err != nil {
		t.Fatal(err)
	}
	owner.send("DELETE", credentials+"/"+acc.Username, nil, nil)
	s.waitRecords("the revoked account's values gone", []string{a4, rec("daemon-token")}, host, acme)

	logs := s.logs.String()
	for _, secret := range []string{cred.Secret, acc.Password} {
		if strings.Contains(logs, secret) {
			t.Error("the logs hold a stock client's secret")
		}
	}
}

// Stock clients see their own writes, every time: a dyndns2 update sent
// the moment tenants has answered 201 for its credential is good, and an
// acme-dns account updates the moment /register has answered (lego
// registers and updates in one run).
func TestEndToEndStockClientsSeeTheirWrites(t *testing.T) {
	t.Parallel()
	s := startSystem(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	daemon := s.agent("daemon")
	code, err := daemon.RequestCode(ctx, "dora@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tenantID, err := daemon.Enroll(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := daemon.RegisterNetwork(ctx, "doras-lab", "", "local"); err != nil {
		t.Fatal(err)
	}
	host := "doras-lab." + s.zone
	owner := s.person("dora@example.com")
	credentials := "/v1/tenants/" + string(tenantID) + "/networks/doras-lab/credentials"

	for i := range 20 {
		var cred stockCredential
		owner.send("POST", credentials, nil, &cred)
		ip := fmt.Sprintf("203.0.114.%d", 100+i)
		if got := s.dyndns2(ctx, cred, host, ip); got != "good "+ip {
			t.Fatalf("update %d, right after the credential's 201: %q", i, got)
		}
		owner.send("DELETE", credentials+"/"+cred.CredentialID, nil, nil) // at most 5 live ones
	}

	var cred stockCredential
	owner.send("POST", credentials, nil, &cred)
	client := s.goacmedns(cred)
	for i := range 20 {
		acc, err := client.RegisterAccount(ctx, nil)
		if err != nil {
			t.Fatalf("register %d: %v", i, err)
		}
		if err := client.UpdateTXTRecord(ctx, acc, strings.Repeat(string(rune('a'+i)), 43)); err != nil {
			t.Fatalf("update %d, right after its register: %v", i, err)
		}
		owner.send("DELETE", credentials+"/"+acc.Username, nil, nil) // at most 5 live accounts
	}
}

// stockCredential is an update credential as tenants issues it.
type stockCredential struct {
	CredentialID string `json:"credential_id"`
	Username     string `json:"username"`
	Secret       string `json:"secret"`
}

// dyndns2 sends a dyndns2 update for host to ip, as a router does, and
// returns the answer's line.
func (s *system) dyndns2(ctx context.Context, c stockCredential, host, ip string) string {
	s.t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", s.ddns+"/nic/update?"+url.Values{"hostname": {host}, "myip": {ip}}.Encode(), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth(c.Username, c.Secret)
	req.Header.Set("User-Agent", "wardnet-test - e2e - 1.0")
	return strings.TrimSpace(string(do(s.t, req, http.StatusOK)))
}

// goacmedns is the acme-dns client of lego's acme-dns provider on the
// ddns service. goacmedns sends /register without credentials (acme-dns's
// is open); its HTTP client adds c as HTTP Basic there.
func (s *system) goacmedns(c stockCredential) *goacmedns.Client {
	s.t.Helper()
	client, err := goacmedns.NewClient(s.ddns, goacmedns.WithHTTPClient(&http.Client{
		Transport: basicOnRegister{c: c, next: http.DefaultTransport}, Timeout: 30 * time.Second,
	}))
	if err != nil {
		s.t.Fatal(err)
	}
	return client
}

// basicOnRegister adds HTTP Basic with an update credential to POST
// /register; other requests go as they are.
type basicOnRegister struct {
	c    stockCredential
	next http.RoundTripper
}

func (b basicOnRegister) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/register" {
		r = r.Clone(r.Context())
		r.SetBasicAuth(b.c.Username, b.c.Secret)
	}
	return b.next.RoundTrip(r)
}

// do sends req and returns the body of an answer with status want.
func do(t *testing.T, req *http.Request, want int) []byte {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %q, want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	return b
}
