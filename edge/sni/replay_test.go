package sni_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

// The bytes ReadClientHello returns, replayed ahead of the rest of the
// connection, let a real TLS server (the daemon) complete the handshake
// with the client: the edge changed nothing.
func TestReplayedHelloCompletesTheHandshake(t *testing.T) {
	t.Parallel()
	const name = "app.home-lab.dyn.example.net"
	cert, pool := selfSigned(t, name)
	zone, err := sni.ParseZone("dyn.example.net")
	if err != nil {
		t.Fatal(err)
	}
	clientEnd, edgeEnd := net.Pipe()
	defer clientEnd.Close()
	defer edgeEnd.Close()

	clientDone := make(chan error, 1)
	go func() {
		c := tls.Client(clientEnd, &tls.Config{ServerName: name, RootCAs: pool, NextProtos: []string{"h2"}})
		_, err := c.Write([]byte("ping"))
		clientDone <- err
	}()

	if err := edgeEnd.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	raw, hello, err := sni.ReadClientHello(edgeEnd, 0)
	if err != nil {
		t.Fatalf("ReadClientHello: %v", err)
	}
	if err := edgeEnd.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if slug, err := zone.Route(hello.ServerName); err != nil || slug != "home-lab" {
		t.Fatalf("Route(%q) = %q, %v", hello.ServerName, slug, err)
	}

	daemon := tls.Server(&replayConn{Conn: edgeEnd, r: io.MultiReader(bytes.NewReader(raw), edgeEnd)},
		&tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	got := make([]byte, 4)
	if _, err := io.ReadFull(daemon, got); err != nil || string(got) != "ping" {
		t.Fatalf("daemon read %q, %v", got, err)
	}
	if err := <-clientDone; err != nil {
		t.Fatalf("client: %v", err)
	}
	if p := daemon.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Errorf("negotiated %q, want h2", p)
	}
}

// replayConn reads from r: the replayed bytes, then the connection.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// selfSigned is a certificate for name and a pool that trusts it.
func selfSigned(t *testing.T, name string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
