package forward_test

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// patience bounds every wait for what runs in the background.
const patience = 10 * time.Second

// The ids of the tests' mesh (the contract's dev material: trust domain
// wardnet.test, env dev, region use1), issued by forwardtest's CAs.
const trustDomain = "wardnet.test"

var (
	tunneller    = forward.ID{TrustDomain: trustDomain, Env: "dev", Scope: "use1", Service: forward.ServiceTunneller}
	otherRegion  = forward.ID{TrustDomain: trustDomain, Env: "dev", Scope: "euc1", Service: forward.ServiceTunneller}
	otherService = forward.ID{TrustDomain: trustDomain, Env: "dev", Scope: "use1", Service: "ddns"}
)

// nodeCerts are the Certs of a node of the mesh: a new tunneller leaf of
// ca and ca's bundle, in files of the test's own.
func nodeCerts(t *testing.T, ca *forwardtest.CA) *forward.Certs {
	t.Helper()
	return forwardtest.Load(t, ca.Files(t, ca.Node(t, tunneller)))
}

// holder is the id of the node that holds the tunnel in the tests.
const holder = presence.NodeID("node-b")

// delivery is what the test Deliverer was given.
type delivery struct {
	req node.ForwardRequest
	// serial is the serial number of the certificate the forwarding node
	// presented, as this end of the TLS connection saw it.
	serial *big.Int
	// got is every byte the forwarded connection carried to this end.
	got []byte
}

// echoNode stands for the holding node: it reads the connection to its
// end, answers "echo:" and what it read, and half-closes.
type echoNode struct {
	mu         sync.Mutex
	deliveries []delivery
	refuse     bool
}

func (e *echoNode) Deliver(_ context.Context, req node.ForwardRequest, conn net.Conn) error {
	if e.refuse {
		return errors.New("no tunnel here")
	}
	d := delivery{req: req}
	if tc, ok := conn.(interface{ ConnectionState() tls.ConnectionState }); ok {
		if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 {
			d.serial = pc[0].SerialNumber
		}
	}
	got, err := io.ReadAll(conn)
	d.got = got
	e.mu.Lock()
	e.deliveries = append(e.deliveries, d)
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := conn.Write(append([]byte("echo:"), got...)); err != nil {
		return err
	}
	return conn.(interface{ CloseWrite() error }).CloseWrite()
}

func (e *echoNode) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.deliveries)
}

func (e *echoNode) last() delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliveries[len(e.deliveries)-1]
}

// runCerts runs c's reload loop until the test ends.
func runCerts(t *testing.T, c *forward.Certs) {
	t.Helper()
	run(t, "certs", c.Run)
}

// run runs fn until the test ends, and checks it returned nil then.
func run(t *testing.T, name string, fn func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	})
}

// startAcceptor serves an acceptor on a loopback port until the test
// ends; it returns the acceptor and its address.
func startAcceptor(t *testing.T, certs *forward.Certs, d forward.Deliverer, timeout time.Duration) (*forward.Acceptor, string) {
	t.Helper()
	a, err := forward.NewAcceptor(forward.AcceptorConfig{
		Certs: certs, Deliverer: d, PreambleTimeout: timeout, Logger: testenv.NewLogs(t).Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	run(t, "acceptor", func(ctx context.Context) error { return a.Serve(ctx, ln) })
	return a, ln.Addr().String()
}

func newDialer(t *testing.T, certs *forward.Certs, addr string) *forward.Dialer {
	t.Helper()
	d, err := forward.NewDialer(forward.DialerConfig{
		Certs: certs, Peers: forward.StaticPeers{holder: addr}, Logger: testenv.NewLogs(t).Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// request is a forward of a known network, with a ClientHello stand-in.
func request() node.ForwardRequest {
	return node.ForwardRequest{
		To:         holder,
		Slug:       naming.Slug("home-lab"),
		NetworkID:  ids.NetworkID("6f1c2e4a-8b3d-4c5e-9f70-123456789abc"),
		DestPort:   853,
		Client:     netip.MustParseAddrPort("[2001:db8::7]:51234"),
		FirstBytes: []byte("\x16\x03\x01 a ClientHello"),
	}
}

// tcpPair is both ends of a loopback TCP connection: the client's, and
// the one the first node accepted and hands to Forward.
func tcpPair(t *testing.T) (client, accepted *net.TCPConn) {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	client, err = net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	accepted, err = ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close(); _ = accepted.Close() })
	return client, accepted
}

// forwardOnce forwards one connection whose client sends body then
// half-closes; it returns what the client read back, or Forward's error.
func forwardOnce(t *testing.T, d *forward.Dialer, req node.ForwardRequest, body string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	client, accepted := tcpPair(t)
	errc := make(chan error, 1)
	go func() {
		err := d.Forward(ctx, req, accepted)
		_ = accepted.Close() // as the node does
		errc <- err
	}()
	// The client's errors count only if Forward succeeded: a failed
	// forward closes the connection, which may reset the client's writes.
	_, writeErr := client.Write([]byte(body))
	if writeErr == nil {
		writeErr = client.CloseWrite()
	}
	_ = client.SetReadDeadline(time.Now().Add(patience))
	got, readErr := io.ReadAll(client)
	if err := <-errc; err != nil {
		return "", err
	}
	if err := cmp.Or(writeErr, readErr); err != nil {
		return "", fmt.Errorf("client: %w", err)
	}
	return string(got), nil
}
