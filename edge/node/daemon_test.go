package node_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// cert is a self-signed server certificate, as a daemon's (its ACME
// certificate in production) and the pool a client trusts it by.
type cert struct {
	tls   tls.Certificate
	der   []byte
	roots *x509.CertPool
}

func selfSigned(t *testing.T, names ...string) cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return cert{tls: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, der: der, roots: roots}
}

// certFor is the certificate of a network's host names.
func certFor(t *testing.T, slug string) cert {
	return selfSigned(t, slug+"."+zoneName, "*."+slug+"."+zoneName)
}

// accepted is what a daemon saw of one stream: where it goes, for whom,
// and the TLS handshake it terminated.
type accepted struct {
	client     netip.AddrPort
	destPort   uint16
	serverName string
	alpn       []string
	helloBytes int64 // bytes read from the stream when the hello was parsed
	err        error // of the handshake
}

// daemon is a daemon's end of a v2 tunnel over a real WebSocket: it
// accepts every stream, terminates TLS with its certificate, and echoes
// what it reads until the client's close_notify.
type daemon struct {
	t        *testing.T
	sess     *tunnel.Session
	cert     cert
	accepted chan accepted
	wg       waitGroup
}

// dialDaemon connects a v2 daemon of slug to tn and waits for Hold's
// answer, which it returns.
func (tn *testNode) dialDaemon(slug string) (*daemon, error) {
	tn.t.Helper()
	c := tn.dialWS(slug, frame.SubprotocolV2, frame.SubprotocolV1)
	if v, err := frame.VersionOf(c.Subprotocol()); err != nil || v != frame.V2 {
		tn.t.Fatalf("negotiated %q (%v), want v2", c.Subprotocol(), err)
	}
	d := &daemon{t: tn.t, sess: tunnel.NewDaemon(tunnel.NewWebSocketConn(c, frame.V2), tunnel.Options{}),
		cert: certFor(tn.t, slug), accepted: make(chan accepted, 16)}
	d.wg.cleanup(tn.t)
	ctx, cancel := context.WithCancel(context.Background())
	tn.t.Cleanup(func() { _ = d.sess.Close(tunnel.CloseNormal); cancel() })
	d.wg.Go(func() { _ = d.sess.Run(ctx) })
	d.wg.Go(d.serve)
	return d, tn.held()
}

func (d *daemon) serve() {
	for {
		st, err := d.sess.Accept(context.Background())
		if err != nil {
			return
		}
		d.wg.Go(func() { d.serveStream(st) })
	}
}

func (d *daemon) serveStream(st *tunnel.Stream) {
	terminate(st, d.cert, accepted{client: st.Client(), destPort: st.DestPort()}, d.accepted)
}

// terminate is a daemon's local service: it terminates TLS on conn with
// c, reports the handshake on out, and echoes until the client's
// close_notify.
func terminate(conn net.Conn, c cert, rec accepted, out chan<- accepted) {
	defer conn.Close()
	in := &countingConn{Conn: conn}
	tc := tls.Server(in, &tls.Config{
		Certificates: []tls.Certificate{c.tls},
		NextProtos:   []string{"h2", "http/1.1"},
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			rec.alpn, rec.helloBytes = h.SupportedProtos, in.read.Load()
			return nil, nil
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	rec.err = tc.HandshakeContext(ctx)
	rec.serverName = tc.ConnectionState().ServerName
	out <- rec
	if rec.err != nil {
		return
	}
	_, _ = io.Copy(tc, tc)
	_ = tc.Close()
}

// next is the next stream the daemon accepted.
func (d *daemon) next() accepted {
	d.t.Helper()
	select {
	case a := <-d.accepted:
		return a
	case <-time.After(patience):
		d.t.Fatal("the daemon accepted no stream")
		return accepted{}
	}
}

// ended waits until the daemon's session has ended and returns its close
// code.
func (d *daemon) ended() frame.CloseCode {
	d.t.Helper()
	select {
	case <-d.sess.Done():
		return closeCode(d.sess.Err())
	case <-time.After(patience):
		d.t.Fatal("the tunnel was not closed")
		return 0
	}
}

// countingConn counts the bytes read through it.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// client is a client on the internet reaching the node through the L4
// proxy, which prepends a PROXY v1 header naming it.
var client = netip.MustParseAddrPort("203.0.113.7:51234")

// dialRaw connects to the node's listener and sends the PROXY header.
func dialRaw(t *testing.T, addr string, from netip.AddrPort) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if from.IsValid() {
		if _, err := fmt.Fprintf(c, "PROXY TCP4 %s 192.0.2.1 %d 443\r\n", from.Addr(), from.Port()); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// dialTLS completes a TLS handshake through the node with serverName,
// trusting c's certificate, over conn (dialRaw's, maybe wrapped).
func dialTLS(conn net.Conn, serverName string, c cert, alpn ...string) (*tls.Conn, error) {
	tc := tls.Client(conn, &tls.Config{ServerName: serverName, RootCAs: c.roots, NextProtos: alpn})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// connect is a TLS connection to slug's network through tn, from client.
func (tn *testNode) connect(slug string, c cert) *tls.Conn {
	tn.t.Helper()
	tc, err := dialTLS(dialRaw(tn.t, tn.addr, client), "www."+slug+"."+zoneName, c)
	if err != nil {
		tn.t.Fatalf("TLS through the node: %v", err)
	}
	return tc
}

// echo writes msg and reads it back.
func echo(t *testing.T, tc *tls.Conn, msg string) {
	t.Helper()
	if _, err := tc.Write([]byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	_ = tc.SetReadDeadline(time.Now().Add(patience))
	if _, err := io.ReadFull(tc, got); err != nil {
		t.Fatalf("read the echo: %v", err)
	}
	if string(got) != msg {
		t.Fatalf("echo %q, want %q", got, msg)
	}
}

// expectClosed checks that the node closed c without answering.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(patience))
	n, err := c.Read(make([]byte, 1))
	if err == nil {
		t.Fatalf("the node answered %d bytes", n)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the node kept the connection open")
	}
}

// chunked writes in pieces of size bytes, one write call (so, with
// TCP_NODELAY, one TCP segment) each.
type chunked struct {
	net.Conn
	size   int
	writes atomic.Int64
}

func (c *chunked) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(c.size, len(p))
		n, err := c.Conn.Write(p[:k])
		written += n
		c.writes.Add(1)
		if err != nil {
			return written, err
		}
		p = p[k:]
	}
	return written, nil
}
