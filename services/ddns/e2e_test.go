package ddns_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

// system is tenants and a region's ddns, each on its own database, on one
// NATS, with ddns keeping the records of region "local" under
// dyn.example.net at a fake Cloudflare: the system as wardnet-dev runs it.
type system struct {
	t       *testing.T
	nats    *testenv.NATS
	cf      *cftest.Server
	zone    string
	tenants string // base URLs
	ddns    string
	logs    *logBuffer
	cfToken string
}

func startSystem(t *testing.T) *system {
	t.Helper()
	s := &system{t: t, nats: testenv.StartNATS(t), logs: &logBuffer{}, cfToken: "cf-" + randomHex(16)}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of tenants and ddns:\n%s", s.logs)
		}
	})
	s.cf = cftest.NewServer(t, s.cfToken)
	s.zone = "dyn." + s.cf.ZoneName
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	tc := tenants.DefaultConfig()
	tc.NATSURL = s.nats.URL
	tc.DatabaseURL = host.DSN(testenv.Postgres(t).URL)
	tc.HTTPAddr = "127.0.0.1:0"
	tc.StreamReplicas = 1
	tc.KnownRegions = "local"
	tc.MailSender = tenants.MailLog
	if err := tenants.UseDevKeys(&tc, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	tc.DataKeyPath = dataKey(t)
	tsvc, err := tenants.New(t.Context(), tc, tenants.WithServiceOptions(host.WithLogger(log.With("service", "tenants"))))
	if err != nil {
		t.Fatal(err)
	}
	s.tenants = "http://" + run(t, tsvc, tsvc.Addr().String())

	dc := ddns.DefaultConfig()
	dc.NATSURL = s.nats.URL
	dc.DatabaseURL = host.DSN(testenv.Postgres(t).URL)
	dc.HTTPAddr = "127.0.0.1:0"
	dc.StreamReplicas = 1
	dc.Region = "local"
	dc.DNSZone = s.zone
	dc.CloudflareZoneID = s.cf.ZoneID
	dc.CloudflareAPITokenPath = tokenFile(t, s.cfToken)
	dc.CloudflareURL = s.cf.URL
	dc.JWKSURL = s.tenants + tokens.JWKSPath
	dsvc, err := ddns.New(t.Context(), dc,
		ddns.WithServiceOptions(host.WithLogger(log)),
		ddns.WithProjectorOptions(projectors.Options{PinnedTTL: 2 * time.Second, AckWait: 5 * time.Second, RetryMax: time.Second}),
		ddns.WithReconcilerOptions(dns.ReconcilerConfig{Poll: 100 * time.Millisecond, BackoffMin: 50 * time.Millisecond, BackoffMax: time.Second}),
		ddns.WithCloudflareRetry(cloudflare.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond, MaxRetryAfter: time.Second}),
	)
	if err != nil {
		t.Fatal(err)
	}
	s.ddns = "http://" + run(t, dsvc, dsvc.Addr().String())
	return s
}

// run serves svc until the test ends, waits until it is ready at addr and
// returns addr.
func run(t *testing.T, svc interface{ Run(context.Context) error }, addr string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); host.Probe(ctx, addr, "/readyz") != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready in time: %s", addr, get(t, "http://"+addr+"/readyz"))
		}
	}
	return addr
}

// agent is a daemon of this system.
func (s *system) agent(name string) *agent.Client {
	s.t.Helper()
	c, err := agent.NewClient(s.tenants, nil, filepath.Join(s.t.TempDir(), name, "state.json"),
		agent.WithDDNS(s.ddns), agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// records lists the fake zone's records under names, as "TYPE name content
// ttl" and their ids by that key.
func (s *system) records(names ...string) ([]string, map[string]string) {
	var out []string
	ids := map[string]string{}
	for _, r := range s.cf.Records(s.cf.ZoneID) {
		if !slices.Contains(names, r.Name) {
			continue
		}
		k := fmt.Sprintf("%s %s %s %d", r.Type, r.Name, r.Content, r.TTL)
		if r.Proxied {
			k += " proxied"
		}
		out = append(out, k)
		ids[k] = r.ID
	}
	slices.Sort(out)
	return out, ids
}

// waitRecords waits until the records under names are exactly want
// (sorted), and returns their ids.
func (s *system) waitRecords(what string, want []string, names ...string) map[string]string {
	s.t.Helper()
	slices.Sort(want)
	var got []string
	var ids map[string]string
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, ids = s.records(names...)
		if slices.Equal(got, want) {
			return ids
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the zone holds %q, want %q", what, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The must-show path of issue 4, through real HTTP end to end: a daemon
// enrolls and registers with the agent, reports an address, the record
// appears at the fake Cloudflare and the network turns active; a new
// address updates the same record; an IPv6 address and an ACME challenge
// add theirs; the owner deregisters, every record is removed, and the
// tenant is swept.
func TestEndToEndNetworkRecords(t *testing.T) {
	t.Parallel()
	s := startSystem(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	daemon := s.agent("daemon")
	code, err := daemon.RequestCode(ctx, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tenantID, err := daemon.Enroll(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	// A tenant-scoped token reports nothing.
	if err := daemon.ReportIP(ctx, "203.0.114.7"); !errors.Is(err, agent.ErrNotRegistered) {
		t.Fatalf("report before registering: %v", err)
	}
	netw, err := daemon.RegisterNetwork(ctx, "alices-lab", "", "local")
	if err != nil {
		t.Fatal(err)
	}
	host := "alices-lab." + s.zone
	acme := "_acme-challenge." + host

	owner := s.person("alice@example.com")
	networkState := func() string {
		var nets []agent.Network
		owner.call("GET", "/v1/tenants/"+string(tenantID)+"/networks", &nets)
		if len(nets) != 1 {
			t.Fatalf("networks %+v", nets)
		}
		return nets[0].ProvisioningState
	}
	if got := networkState(); got != "provisioning" {
		t.Fatalf("a new network is %s", got)
	}

	// The first address: the record appears, the network turns active.
	if err := daemon.ReportIP(ctx, "203.0.114.7"); err != nil {
		t.Fatal(err)
	}
	ids := s.waitRecords("first address", []string{"A " + host + " 203.0.114.7 120"}, host, acme)
	first := ids["A "+host+" 203.0.114.7 120"]
	waitFor(t, "the network to turn active", func() bool { return networkState() == "active" })

	// A new address updates the same record in place.
	if sent, err := reportIfChanged(ctx, daemon, "203.0.114.7"); err != nil || sent {
		t.Fatalf("the same address again: sent %v, %v", sent, err)
	}
	if sent, err := reportIfChanged(ctx, daemon, "203.0.114.8"); err != nil || !sent {
		t.Fatalf("a new address: sent %v, %v", sent, err)
	}
	ids = s.waitRecords("second address", []string{"A " + host + " 203.0.114.8 120"}, host, acme)
	if id := ids["A "+host+" 203.0.114.8 120"]; id != first {
		t.Errorf("the A record was replaced (%s → %s), not updated in place", first, id)
	}

	// IPv6 and an ACME challenge; then the challenge goes.
	if err := daemon.ReportIP(ctx, "2a01:4f8::7"); err != nil {
		t.Fatal(err)
	}
	if err := daemon.SetChallenge(ctx, []string{"token-one", "token-two"}); err != nil {
		t.Fatal(err)
	}
	all := []string{
		"A " + host + " 203.0.114.8 120",
		"AAAA " + host + " 2a01:4f8::7 120",
		"TXT " + acme + " token-one 60",
		"TXT " + acme + " token-two 60",
	}
	s.waitRecords("address, IPv6 and challenge", all, host, acme)
	if err := daemon.ClearChallenge(ctx); err != nil {
		t.Fatal(err)
	}
	s.waitRecords("challenge cleared", all[:2], host, acme)
	if st := daemon.Status(); st.LastIPv4 != "203.0.114.8" || st.LastIPv6 != "2a01:4f8::7" {
		t.Errorf("the agent remembers %q and %q", st.LastIPv4, st.LastIPv6)
	}

	// The owner deregisters: every record goes, the network is
	// deprovisioned and the tenant swept.
	owner.call("DELETE", "/v1/tenants/"+string(tenantID), nil)
	s.waitRecords("deregistered", nil, host, acme)
	store := events.NewStore(s.nats.JS, tenants.Catalog())
	waitFor(t, "the tenant to be swept", func() bool {
		for rec, err := range store.Load(ctx, events.MustRef(tenant.Type, string(tenantID)), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := rec.Data.(tenant.Swept); ok {
				return true
			}
		}
		return false
	})
	if ok, err := s.agent("next").Availability(ctx, "alices-lab"); err == nil && !ok {
		t.Error("the slug of a swept tenant's network is still held")
	}
	// A late report changes nothing: the daemon gets no token.
	daemon.ForgetToken()
	if err := daemon.ReportIP(ctx, "203.0.114.9"); err == nil {
		t.Error("a report after deregistration was accepted")
	}
	if got, _ := s.records(host, acme); len(got) != 0 {
		t.Errorf("records after deregistration: %q", got)
	}
	t.Logf("network %s went provisioning → active → deprovisioned", netw.ID)

	// The Cloudflare token never reached the logs (the development mail
	// sender logs codes by design).
	if strings.Contains(s.logs.String(), s.cfToken) {
		t.Error("the logs hold the Cloudflare token")
	}
}

func reportIfChanged(ctx context.Context, c *agent.Client, ip string) (bool, error) {
	_, sent, err := c.ReportIPIfChanged(ctx, agent.FixedAddress(ip))
	return sent, err
}

// person is a browser of the tenants service with a user token.
type person struct {
	s     *system
	hc    *http.Client
	token string
}

func (s *system) person(email string) *person {
	t := s.t
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &person{s: s, hc: &http.Client{Jar: jar}}
	var c struct{ Code string }
	p.send("POST", "/v1/verification-codes", map[string]string{"email": email, "purpose": "signup"}, &c)
	p.send("POST", "/v1/auth/password/signup", map[string]string{"email": email, "code": c.Code, "password": "correct horse battery"}, nil)
	var tok struct{ Token string }
	p.send("POST", "/v1/auth/token", nil, &tok)
	p.token = tok.Token
	return p
}

func (p *person) call(method, path string, out any) { p.send(method, path, nil, out) }

// send calls tenants and fails the test on anything but 2xx.
func (p *person) send(method, path string, body, out any) {
	t := p.s.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.s.tenants+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// dataKey writes a master data key that never ends in a line break.
// (UseDevKeys writes 32 random bytes, and the key loader trims trailing
// line breaks: a key that ends in one is refused as too short, once in
// about 128 runs.)
func dataKey(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.key")
	if err := os.WriteFile(path, []byte(randomHex(32)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
