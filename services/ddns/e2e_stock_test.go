package ddns_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The stock clients end to end: the owner issues an update credential at
// tenants; a router's dyndns2 update with it puts the address at the fake
// Cloudflare; an ACME client registers an acme-dns account with it and
// publishes two values, which both appear, and a third, which replaces the
// oldest.
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
	var cred struct{ Username, Secret string }
	owner.send("POST", "/v1/tenants/"+string(tenantID)+"/networks/carls-lab/credentials", nil, &cred)

	// dyndns2, as a router sends it. The credential reaches ddns within
	// moments (its projection).
	update := func(ip string) string {
		req, err := http.NewRequestWithContext(ctx, "GET", s.ddns+"/nic/update?"+url.Values{"hostname": {host}, "myip": {ip}}.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(cred.Username, cred.Secret)
		req.Header.Set("User-Agent", "wardnet-test - e2e - 1.0")
		return strings.TrimSpace(string(do(t, req, http.StatusOK)))
	}
	var answer string
	waitFor(t, "the credential to reach ddns", func() bool { answer = update("203.0.114.30"); return answer != "badauth" })
	if answer != "good 203.0.114.30" {
		t.Fatalf("first update: %q", answer)
	}
	s.waitRecords("dyndns2 update", []string{"A " + host + " 203.0.114.30 120"}, host, acme)
	if got := update("203.0.114.30"); got != "nochg 203.0.114.30" {
		t.Errorf("the same address again: %q", got)
	}

	// acme-dns: register with the update credential, then two values.
	req, err := http.NewRequestWithContext(ctx, "POST", s.ddns+"/register", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(cred.Username, cred.Secret)
	var acc struct{ Username, Password, Fulldomain, Subdomain string }
	if err := json.Unmarshal(do(t, req, http.StatusCreated), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Fulldomain != host || acc.Subdomain != "carls-lab" {
		t.Fatalf("account for %q, subdomain %q", acc.Fulldomain, acc.Subdomain)
	}
	txt := func(v string) string {
		value := strings.Repeat(v, 43)
		b, _ := json.Marshal(map[string]string{"subdomain": acc.Subdomain, "txt": value})
		req, err := http.NewRequestWithContext(ctx, "POST", s.ddns+"/update", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Api-User", acc.Username)
		req.Header.Set("X-Api-Key", acc.Password)
		var code int
		waitFor(t, "the account to reach ddns", func() bool {
			code = status(t, req, b)
			return code != http.StatusUnauthorized
		})
		if code != http.StatusOK {
			t.Fatalf("update %s: %d", v, code)
		}
		return value
	}
	a, b := txt("a"), txt("b")
	s.waitRecords("two acme-dns values", []string{"A " + host + " 203.0.114.30 120", "TXT " + acme + " " + a + " 60", "TXT " + acme + " " + b + " 60"}, host, acme)
	c := txt("c")
	s.waitRecords("the oldest value dropped", []string{"A " + host + " 203.0.114.30 120", "TXT " + acme + " " + b + " 60", "TXT " + acme + " " + c + " 60"}, host, acme)

	logs := s.logs.String()
	for _, secret := range []string{cred.Secret, acc.Password} {
		if strings.Contains(logs, secret) {
			t.Error("the logs hold a stock client's secret")
		}
	}
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

// status sends req with body (again) and returns the status.
func status(t *testing.T, req *http.Request, body []byte) int {
	t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
