package tunneller_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"sync"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// patience bounds every wait for what runs in the background.
const patience = 30 * time.Second

// system is tenants and one tunneller node of region "local" on one NATS,
// each on its own database: the system as wardnet-dev runs it, with the
// node's SNI listeners requiring PROXY headers as in production.
type system struct {
	t       *testing.T
	nats    *testenv.NATS
	tenants *servicetest.Tenants
	edge    *servicetest.Tunneller
	logs    *testenv.Logs
}

func startSystem(t *testing.T, opts ...tunneller.Option) *system {
	t.Helper()
	s := &system{t: t, nats: testenv.StartNATS(t), logs: testenv.NewLogs(t)}
	log := s.logs.Logger()
	s.tenants = servicetest.StartTenants(t, servicetest.TenantsConfig(t, s.nats, testenv.Postgres(t)),
		tenants.WithServiceOptions(host.WithLogger(log)))
	cfg := servicetest.TunnellerConfig(t, s.nats, testenv.Postgres(t), s.tenants.URL)
	cfg.ProxyProtocol = "required"
	s.edge = servicetest.StartTunneller(t, cfg, append([]tunneller.Option{tunneller.WithServiceOptions(host.WithLogger(log))}, opts...)...)
	return s
}

// daemon is an enrolled daemon with a network registered in the region.
type daemon struct {
	agent   *agent.Client
	tenant  agent.TenantID
	network agent.Network
}

// daemon enrolls a daemon of a new tenant (email) and registers its
// network slug in the region, through the tenants API as a daemon does.
func (s *system) daemon(ctx context.Context, email, slug string) *daemon {
	t := s.t
	t.Helper()
	c, err := agent.NewClient(s.tenants.URL, nil, filepath.Join(t.TempDir(), "state.json"),
		agent.WithLogger(s.logs.Logger().With("daemon", slug)))
	must(t, err)
	code, err := c.RequestCode(ctx, email)
	must(t, err)
	tenant, err := c.Enroll(ctx, code)
	must(t, err)
	n, err := c.RegisterNetwork(ctx, slug, "", servicetest.Region)
	must(t, err)
	return &daemon{agent: c, tenant: tenant, network: n}
}

// held is a tunnel the agent holds: HoldTunnel's result and when it
// returned.
type held struct {
	done   chan struct{}
	err    error
	closed time.Time
}

// hold runs the agent's HoldTunnel toward the node until the test ends
// (or the node ends it for good), relaying port 443 to local with a PROXY
// v2 header, redialing quickly after a refusal.
func (s *system) hold(d *daemon, local string) *held {
	h := &held{done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(h.done)
		h.err = d.agent.HoldTunnel(ctx, agent.TunnelOptions{
			URL:         s.edge.URL,
			Local:       map[uint16]string{443: local},
			ProxyHeader: true,
			Backoff:     func(int) time.Duration { return 20 * time.Millisecond },
		})
		h.closed = time.Now()
	}()
	s.t.Cleanup(func() {
		cancel()
		<-h.done
	})
	return h
}

// waitTunnels waits until the node holds n tunnels.
func (s *system) waitTunnels(within time.Duration, n int) {
	s.t.Helper()
	testenv.Eventually(s.t, within, func() error {
		if got := s.edge.Stats().Tunnels; got != n {
			return fmt.Errorf("the node holds %d tunnels, want %d", got, n)
		}
		return nil
	})
}

// daemonServer is a TLS server of the daemon's, behind the agent: it
// takes a PROXY v2 header (which the agent sends), does the TLS handshake
// with its own self-signed certificate, tells the client the address the
// header named ("client <addr>\n") and echoes what it reads until EOF.
type daemonServer struct {
	t    *testing.T
	ln   net.Listener
	cert tls.Certificate
	leaf *x509.Certificate
	wg   sync.WaitGroup
}

func startDaemonServer(t *testing.T, names ...string) *daemonServer {
	t.Helper()
	d := &daemonServer{t: t}
	d.cert, d.leaf = selfSigned(t, names...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	d.ln = ln
	d.wg.Go(d.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		d.wg.Wait()
	})
	return d
}

func (d *daemonServer) addr() string { return d.ln.Addr().String() }

func (d *daemonServer) accept() {
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		d.wg.Go(func() { d.serve(c) })
	}
}

func (d *daemonServer) serve(raw net.Conn) {
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(patience))
	pc := pp.NewConn(raw, pp.WithPolicy(pp.REQUIRE))
	client := "none"
	if h := pc.ProxyHeader(); h != nil {
		client = fmt.Sprintf("v%d %s", h.Version, h.SourceAddr)
	}
	tc := tls.Server(pc, &tls.Config{Certificates: []tls.Certificate{d.cert}})
	if err := tc.Handshake(); err != nil {
		return
	}
	if _, err := fmt.Fprintf(tc, "client %s\n", client); err != nil {
		return
	}
	if _, err := io.Copy(tc, tc); err != nil {
		return
	}
	_ = tc.CloseWrite()
}

// selfSigned is a certificate for names, its own issuer.
func selfSigned(t *testing.T, names ...string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	leaf, err := x509.ParseCertificate(der)
	must(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

// client is how a test client on the internet reaches the edge.
type client struct {
	// from is the address the L4 proxy's PROXY v1 header names; empty
	// sends no header.
	from string
	// serverName is the SNI.
	serverName string
	// alpn is offered in the ClientHello (a long list makes it large).
	alpn []string
	// segment, when positive, writes the ClientHello in pieces of at most
	// that many bytes, each its own TCP segment.
	segment int
	// pin is the certificate the server must present.
	pin *x509.Certificate
}

// dialed is a client's TLS connection through the edge.
type dialed struct {
	*tls.Conn
	hello int // the bytes of the first write: the ClientHello record
}

// dial connects to the edge's SNI listener at addr as c says and does the
// TLS handshake, end to end with the daemon's server.
func (c client) dial(ctx context.Context, addr string) (*dialed, error) {
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if c.from != "" {
		src, err := net.ResolveTCPAddr("tcp", c.from)
		if err != nil {
			_ = raw.Close()
			return nil, err
		}
		if _, err := pp.HeaderProxyFromAddrs(1, src, raw.RemoteAddr()).WriteTo(raw); err != nil {
			_ = raw.Close()
			return nil, err
		}
	}
	sc := &segmented{Conn: raw, chunk: c.segment}
	pool := x509.NewCertPool()
	pool.AddCert(c.pin)
	tc := tls.Client(sc, &tls.Config{
		ServerName: c.serverName,
		RootCAs:    pool,
		NextProtos: c.alpn,
		MinVersion: tls.VersionTLS13,
		// The handshake is the daemon's: the edge has no key for the name
		// and must not be able to answer it with another certificate.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !cs.PeerCertificates[0].Equal(c.pin) {
				return errors.New("the server's certificate is not the daemon's")
			}
			return nil
		},
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return &dialed{Conn: tc, hello: sc.first}, nil
}

// exchange sends payload, half-closes, and reads the server's line and
// echo to the end: the line is returned, the echo must equal payload.
func (d *dialed) exchange(t *testing.T, payload []byte) string {
	t.Helper()
	_ = d.SetDeadline(time.Now().Add(patience))
	werr := make(chan error, 1)
	go func() {
		_, err := d.Write(payload)
		if err == nil {
			err = d.CloseWrite()
		}
		werr <- err
	}()
	br := bufio.NewReader(d)
	line, err := br.ReadString('\n')
	must(t, err)
	echo, err := io.ReadAll(br)
	must(t, err)
	must(t, <-werr)
	if !bytes.Equal(echo, payload) {
		t.Fatalf("echo of %d bytes came back as %d bytes, not the same", len(payload), len(echo))
	}
	return line[:len(line)-1]
}

// segmented writes the first Write (the ClientHello) in chunks of at most
// chunk bytes, each flushed to the socket on its own (TCP_NODELAY is Go's
// default, so each is one segment), and remembers its size.
type segmented struct {
	net.Conn
	chunk int
	first int
	once  sync.Once
}

func (s *segmented) Write(p []byte) (int, error) {
	split := false
	s.once.Do(func() {
		s.first = len(p)
		split = s.chunk > 0
	})
	if !split {
		return s.Conn.Write(p)
	}
	n := 0
	for n < len(p) {
		m, err := s.Conn.Write(p[n:min(n+s.chunk, len(p))])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// person is the tenant's owner in a browser, with a user token.
type person struct {
	t       *testing.T
	tenants string
	hc      *http.Client
	token   string
}

func (s *system) person(email string) *person {
	t := s.t
	t.Helper()
	jar, err := cookiejar.New(nil)
	must(t, err)
	p := &person{t: t, tenants: s.tenants.URL, hc: &http.Client{Jar: jar}}
	var c struct{ Code string }
	p.send("POST", "/v1/verification-codes", map[string]string{"email": email, "purpose": "signup"}, &c)
	p.send("POST", "/v1/auth/password/signup", map[string]string{"email": email, "code": c.Code, "password": "correct horse battery"}, nil)
	var tok struct{ Token string }
	p.send("POST", "/v1/auth/token", nil, &tok)
	p.token = tok.Token
	return p
}

// send calls tenants and fails the test on anything but 2xx.
func (p *person) send(method, path string, body, out any) {
	t := p.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		must(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.tenants+path, rd)
	must(t, err)
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.hc.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(t, err)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		must(t, json.Unmarshal(raw, out))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
