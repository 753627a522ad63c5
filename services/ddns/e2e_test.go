package ddns_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
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
	logs    *testenv.Logs
	cfToken string
}

func startSystem(t *testing.T) *system {
	t.Helper()
	return startSystemWith(t, nil)
}

// startSystemWith is startSystem with ddns's configuration edited by edit.
func startSystemWith(t *testing.T, edit func(*ddns.Config)) *system {
	t.Helper()
	s := &system{t: t, nats: testenv.StartNATS(t), logs: testenv.NewLogs(t), cfToken: "cf-" + rand.Text()}
	s.cf = cftest.NewServer(t, s.cfToken)
	log := s.logs.Logger()
	s.tenants = servicetest.StartTenants(t, servicetest.TenantsConfig(t, s.nats, testenv.Postgres(t)),
		tenants.WithServiceOptions(host.WithLogger(log.With("service", "tenants")))).URL
	cfg := servicetest.DDNSConfig(t, s.nats, testenv.Postgres(t), s.cf, s.cfToken, s.tenants)
	if edit != nil {
		edit(&cfg)
	}
	d := servicetest.StartDDNS(t, cfg,
		append(servicetest.QuickDDNS(), ddns.WithServiceOptions(host.WithLogger(log)))...)
	s.ddns, s.zone = d.URL, d.Config.DNSZone
	return s
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
	var ids map[string]string
	testenv.Eventually(s.t, 30*time.Second, func() error {
		var got []string
		got, ids = s.records(names...)
		if !slices.Equal(got, want) {
			return fmt.Errorf("%s: the zone holds %q, want %q", what, got, want)
		}
		return nil
	})
	return ids
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
	testenv.Eventually(t, 30*time.Second, func() error {
		if got := networkState(); got != "active" {
			return fmt.Errorf("the network is %s, want active", got)
		}
		return nil
	})

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
	testenv.Eventually(t, 30*time.Second, func() error {
		for rec, err := range store.Load(ctx, events.MustRef(tenant.Type, string(tenantID)), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := rec.Data.(tenant.Swept); ok {
				return nil
			}
		}
		return errors.New("the tenant is not swept")
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

// With WARDNET_EDGE_ADDRESSES, a registered network gets
// *.<slug>.<zone> toward the region's edge addresses at once, and its own
// name the daemon's address once it reports; the owner deregisters, and
// they all go.
func TestEndToEndEdgeRecords(t *testing.T) {
	t.Parallel()
	s := startSystemWith(t, func(c *ddns.Config) { c.EdgeAddresses = "2606:4700:4700::1111, 1.1.1.1" })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	daemon := s.agent("daemon")
	code, err := daemon.RequestCode(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tenantID, err := daemon.Enroll(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := daemon.RegisterNetwork(ctx, "bobs-lab", "", "local"); err != nil {
		t.Fatal(err)
	}
	host := "bobs-lab." + s.zone
	wild := "*." + host
	edge := []string{"A " + wild + " 1.1.1.1 120", "AAAA " + wild + " 2606:4700:4700::1111 120"}
	s.waitRecords("registered", slices.Clone(edge), host, wild)
	if err := daemon.ReportIP(ctx, "203.0.114.7"); err != nil {
		t.Fatal(err)
	}
	s.waitRecords("reported", append(slices.Clone(edge), "A "+host+" 203.0.114.7 120"), host, wild)
	s.person("bob@example.com").call("DELETE", "/v1/tenants/"+string(tenantID), nil)
	s.waitRecords("deregistered", nil, host, wild)
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
