//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/events"

	"github.com/wardnet/wardnet-cloud/internal/pgcluster"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The must-show test: the built binary brings the whole system up on a fresh
// data dir, carries a daemon's network from registration through its DNS
// records to deregistration (daemonLife), stops cleanly on SIGINT with exit
// code 0 and no process left behind, and comes up again on the same data.
func TestWardnetDevRunsStopsAndRestarts(t *testing.T) {
	if _, err := pgcluster.FindBinaries(); err != nil {
		t.Skipf("no postgres binaries: %v", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build wardnet-dev with")
	}
	// Orphans of wardnet-dev would be re-parented to us rather than to
	// init, so that a scan of our children finds them.
	setChildSubreaper(t)

	bin := filepath.Join(t.TempDir(), "wardnet-dev")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base, err := os.MkdirTemp("", "wardnet-dev-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // postgres runs as another user when we are root
		t.Fatal(err)
	}
	dataDir := filepath.Join(base, "data")
	ports := freePorts(t, 7)
	addrs := map[string]string{
		"tenants":   "127.0.0.1:" + strconv.Itoa(ports[2]),
		"ddns":      "127.0.0.1:" + strconv.Itoa(ports[3]),
		"tunneller": "127.0.0.1:" + strconv.Itoa(ports[4]),
	}
	edgeHTTPS := "127.0.0.1:" + strconv.Itoa(ports[5])
	args := []string{
		"--data-dir", dataDir,
		"--nats-port", strconv.Itoa(ports[0]),
		"--postgres-port", strconv.Itoa(ports[1]),
		"--tenants-addr", addrs["tenants"],
		"--ddns-addr", addrs["ddns"],
		"--tunneller-addr", addrs["tunneller"],
		"--tunnel-https-addr", edgeHTTPS,
		"--tunnel-dot-addr", "127.0.0.1:" + strconv.Itoa(ports[6]),
	}
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", ports[0])
	pgURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/tenants?sslmode=disable", ports[1])

	// First run: a fresh data dir.
	dev := startDev(t, bin, args)
	dev.waitUp(t, addrs)
	if !strings.Contains(dev.stdout.String(), "curl -s http://"+addrs["tenants"]) {
		t.Errorf("the banner does not say what to try:\n%s", dev.stdout.String())
	}
	if !strings.Contains(dev.stdout.String(), "curl -s http://"+addrs["ddns"]+"/dev/dns") {
		t.Errorf("the banner does not mention /dev/dns:\n%s", dev.stdout.String())
	}
	if !strings.Contains(dev.stdout.String(), edgeHTTPS+" → port 443") ||
		!strings.Contains(dev.stdout.String(), "tunnel --tunneller http://"+addrs["tunneller"]) {
		t.Errorf("the banner does not say where the edge listens and how to hold a tunnel:\n%s", dev.stdout.String())
	}
	daemonLife(t, addrs)
	leave(t, natsURL, pgURL)
	dev.stopCleanly(t, dataDir)

	// Second run: the same data dir, kept data.
	dev = startDev(t, bin, args)
	dev.waitUp(t, addrs)
	find(t, natsURL, pgURL)
	dev.stopCleanly(t, dataDir)
}

type devProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *testenv.Logs
	exited         chan struct{} // closed when cmd.Wait returns
	waitErr        error         // valid after exited is closed
}

func startDev(t *testing.T, bin string, args []string) *devProcess {
	t.Helper()
	d := &devProcess{stdout: &testenv.Logs{}, stderr: &testenv.Logs{}, exited: make(chan struct{})}
	d.cmd = exec.Command(bin, args...)
	d.cmd.Env = withoutWardnetVars(os.Environ())
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.waitErr = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("wardnet-dev stdout:\n%s\nstderr:\n%s", d.stdout, d.stderr)
		}
	})
	return d
}

// waitUp waits for every service's /healthz, then checks /readyz.
func (d *devProcess) waitUp(t *testing.T, addrs map[string]string) {
	t.Helper()
	for _, path := range []string{"/healthz", "/readyz"} {
		testenv.Eventually(t, 60*time.Second, func() error {
			for name, addr := range addrs {
				code, body := get("http://" + addr + path)
				if code == http.StatusOK {
					continue
				}
				select {
				case <-d.exited:
					t.Fatalf("wardnet-dev exited (%v) before %s answered %s", d.waitErr, name, path)
				default:
				}
				return fmt.Errorf("%s %s: %d %s", name, path, code, body)
			}
			return nil
		})
	}
}

// stopCleanly sends SIGINT and checks that wardnet-dev exits 0 and leaves
// no process behind: not Postgres, not anything else it started.
func (d *devProcess) stopCleanly(t *testing.T, dataDir string) {
	t.Helper()
	pidFile := filepath.Join(dataDir, "postgres", "postmaster.pid")
	pgPid := postmasterPid(t, pidFile)
	children := childrenOf(t, d.cmd.Process.Pid)
	if !slices.Contains(children, pgPid) {
		t.Fatalf("postgres (pid %d) is not a child of wardnet-dev (children %v)", pgPid, children)
	}

	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("wardnet-dev did not exit within 60 s of SIGINT")
	}
	if d.waitErr != nil {
		t.Fatalf("wardnet-dev exit: %v", d.waitErr)
	}
	for _, pid := range children {
		if alive(pid) {
			t.Errorf("process %d, started by wardnet-dev, is still there", pid)
		}
	}
	if _, err := os.Stat(pidFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind (%v): postgres did not shut down cleanly", pidFile, err)
	}
	// wardnet-dev has been reaped; anything it left would now be our child.
	if left := childrenOf(t, os.Getpid()); len(left) > 0 {
		t.Errorf("processes orphaned by wardnet-dev: %v", left)
	}
}

// daemonLife is the DDNS must-show on wardnet-dev, with the agent and the
// owner's session: enroll, register a network in region "local", report an
// address; the record appears at the fake Cloudflare (GET /dev/dns on the
// ddns port) and the network turns active; a new address updates the same
// record; the owner deregisters the tenant and every record goes.
func daemonLife(t *testing.T, addrs map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := agent.NewClient("http://"+addrs["tenants"], nil, filepath.Join(t.TempDir(), "agent.json"),
		agent.WithDDNS("http://"+addrs["ddns"]), agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	code, err := c.RequestCode(ctx, "dev@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tenantID, err := c.Enroll(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterNetwork(ctx, "dev-lab", "", "local"); err != nil {
		t.Fatal(err)
	}
	owner := signUp(t, "http://"+addrs["tenants"], "dev@example.com")
	state := func() string {
		var nets []agent.Network
		owner.call(t, "GET", "/v1/tenants/"+string(tenantID)+"/networks", &nets)
		if len(nets) != 1 {
			t.Fatalf("networks: %+v", nets)
		}
		return nets[0].ProvisioningState
	}
	const host = "dev-lab.wardnet.test"

	if err := c.ReportIP(ctx, "203.0.114.7"); err != nil {
		t.Fatal(err)
	}
	first := waitRecords(t, addrs, host, "A 203.0.114.7")["A 203.0.114.7"]
	testenv.Eventually(t, 30*time.Second, func() error {
		if s := state(); s != "active" {
			return fmt.Errorf("the network is %q, want active", s)
		}
		return nil
	})

	if err := c.ReportIP(ctx, "203.0.114.8"); err != nil {
		t.Fatal(err)
	}
	if id := waitRecords(t, addrs, host, "A 203.0.114.8")["A 203.0.114.8"]; id != first {
		t.Errorf("a new address replaced the record (%s → %s) instead of updating it", first, id)
	}

	owner.call(t, "DELETE", "/v1/tenants/"+string(tenantID), nil)
	waitRecords(t, addrs, host)
}

// waitRecords waits until GET /dev/dns lists exactly want ("TYPE content")
// under host and its _acme-challenge name, and returns their record ids.
func waitRecords(t *testing.T, addrs map[string]string, host string, want ...string) map[string]string {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	var ids map[string]string
	testenv.Eventually(t, 30*time.Second, func() error {
		code, body := get("http://" + addrs["ddns"] + "/dev/dns")
		var listing struct {
			Zones []struct {
				Records []struct{ ID, Type, Name, Content string }
			}
		}
		if code != http.StatusOK {
			return fmt.Errorf("GET /dev/dns: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &listing); err != nil {
			return fmt.Errorf("GET /dev/dns: %v in %s", err, body)
		}
		ids = map[string]string{}
		var got []string
		for _, z := range listing.Zones {
			for _, r := range z.Records {
				if r.Name == host || r.Name == "_acme-challenge."+host {
					k := r.Type + " " + r.Content
					got, ids[k] = append(got, k), r.ID
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			return fmt.Errorf("GET /dev/dns lists %q for %s, want %q; answer: %s", got, host, want, body)
		}
		return nil
	})
	return ids
}

// owner is a person signed up with a password, calling the tenants API
// with a session's bearer token.
type owner struct {
	base  string
	hc    *http.Client
	token string
}

// signUp signs a person up with the code wardnet-dev answers with (its
// development mail sender hands codes back) and takes a bearer token.
func signUp(t *testing.T, base, email string) *owner {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	o := &owner{base: base, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var c struct{ Code string }
	o.send(t, "POST", "/v1/verification-codes", map[string]string{"email": email, "purpose": "signup"}, &c)
	o.send(t, "POST", "/v1/auth/password/signup", map[string]string{"email": email, "code": c.Code, "password": "correct horse battery"}, nil)
	var tok struct{ Token string }
	o.send(t, "POST", "/v1/auth/token", nil, &tok)
	o.token = tok.Token
	return o
}

func (o *owner) call(t *testing.T, method, path string, out any) {
	t.Helper()
	o.send(t, method, path, nil, out)
}

// send calls the tenants API and fails the test on anything but 2xx.
func (o *owner) send(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, o.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := o.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// leave writes an event and a row in the first run for find to read in the
// second.
func leave(t *testing.T, natsURL, pgURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cat := events.NewCatalog()
	events.Register[devtestNoted](cat, 1)
	if _, err := events.NewStore(jetStream(t, natsURL), cat).Append(ctx, events.Meta{}, events.Change{
		Aggregate: events.MustRef("devtest", "1"), Events: []events.Payload{devtestNoted{}},
	}); err != nil {
		t.Fatalf("append to EVENTS: %v", err)
	}
	conn := connect(t, ctx, pgURL)
	if _, err := conn.Exec(ctx, "CREATE TABLE devtest (v int); INSERT INTO devtest VALUES (42)"); err != nil {
		t.Fatal(err)
	}
}

type devtestNoted struct{}

func (devtestNoted) EventType() string { return "devtest.noted" }

func find(t *testing.T, natsURL, pgURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := jetStream(t, natsURL).Stream(ctx, "EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLastMsgForSubject(ctx, "wardnet.ev.devtest.1"); err != nil {
		t.Errorf("event of the first run lost: %v", err)
	}
	var v int
	if err := connect(t, ctx, pgURL).QueryRow(ctx, "SELECT v FROM devtest").Scan(&v); err != nil || v != 42 {
		t.Errorf("row of the first run lost: %d, %v", v, err)
	}
}

func jetStream(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func connect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func withoutWardnetVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WARDNET_") {
			out = append(out, kv)
		}
	}
	return out
}

func setChildSubreaper(t *testing.T) {
	t.Helper()
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// childrenOf lists the processes whose parent is pid, zombies included.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, p)
		}
	}
	return kids
}

func postmasterPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pid
}

// alive is true for a running or zombie process.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
