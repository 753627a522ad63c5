package forward_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A forwarded connection reaches the holding node with its slug, network,
// port, client and first bytes, and carries bytes both ways, each
// direction ended by a half-close.
func TestForwardDelivers(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	certsA, certsB := nodeCerts(t, ca), nodeCerts(t, ca)
	holding := &echoNode{}
	acc, addr := startAcceptor(t, certsB, holding, 0)
	d := newDialer(t, certsA, addr)

	for i, req := range append(requests(), request()) {
		body := fmt.Sprintf("request %d, then EOF", i)
		got, err := forwardOnce(t, d, req, body)
		if err != nil {
			t.Fatalf("forward %d: %v", i, err)
		}
		if got != "echo:"+body {
			t.Fatalf("client read %q, want %q", got, "echo:"+body)
		}
		del := holding.last()
		req.To = "" // the holding node is told nothing of itself
		if del.req.Slug != req.Slug || del.req.NetworkID != req.NetworkID || del.req.DestPort != req.DestPort ||
			del.req.Client != req.Client || !bytes.Equal(del.req.FirstBytes, req.FirstBytes) || del.req.To != "" {
			t.Fatalf("delivered %+v, want %+v", del.req, req)
		}
		if string(del.got) != body {
			t.Fatalf("holding node read %q, want %q", del.got, body)
		}
	}
	n := uint64(len(requests()) + 1)
	if st := d.Stats(); st.Forwarded != n || len(st.Failures) != 0 {
		t.Errorf("dialer stats %+v, want %d forwarded", st, n)
	}
	testenv.Eventually(t, patience, func() error {
		if st := acc.Stats(); st.Delivered != n || st.Accepted != n || len(st.Refusals) != 0 || st.Open != 0 {
			return fmt.Errorf("acceptor stats %+v, want %d delivered", st, n)
		}
		return nil
	})
}

// requests vary what a preamble carries: an IPv4 client, none, and no
// first bytes.
func requests() []node.ForwardRequest {
	v4 := request()
	v4.Client = netip.MustParseAddrPort("192.0.2.10:40000")
	v4.DestPort = 443
	none := request()
	none.Client = netip.AddrPort{}
	none.FirstBytes = nil
	return []node.ForwardRequest{v4, none}
}

// A network whose tunnel is not on the holding node any more is refused
// there: the connection is closed and counted, the client reads nothing.
func TestForwardNotDelivered(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	certsA, certsB := nodeCerts(t, ca), nodeCerts(t, ca)
	acc, addr := startAcceptor(t, certsB, &echoNode{refuse: true}, 0)
	got, err := forwardOnce(t, newDialer(t, certsA, addr), request(), "hello")
	if err != nil || got != "" {
		t.Fatalf("forward: %q, %v; want an accepted forward closed at once", got, err)
	}
	testenv.Eventually(t, patience, func() error {
		if n := acc.Stats().Refusals[forward.ReasonNotDelivered]; n != 1 {
			return fmt.Errorf("not_delivered %d, want 1: %+v", n, acc.Stats())
		}
		return nil
	})
}

// The acceptor refuses, in the handshake, a client whose certificate is
// not a tunneller of its region chained to its bundle, and counts why;
// nothing reaches the holding node.
func TestAcceptorRefusesPeers(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	other := forwardtest.NewCA(t, trustDomain)
	certsB := nodeCerts(t, ca)
	holding := &echoNode{}
	acc, addr := startAcceptor(t, certsB, holding, 0)

	for _, tc := range []struct {
		name   string
		leaf   *forwardtest.Leaf
		reason string
	}{
		{"forged, self-signed", ptr(forwardtest.SelfSigned(t, tunneller)), forward.ReasonUntrusted},
		{"from another CA", ptr(other.Node(t, tunneller)), forward.ReasonUntrusted},
		{"another region", ptr(ca.Node(t, otherRegion)), forward.ReasonOtherRegion},
		{"another service", ptr(ca.Node(t, otherService)), forward.ReasonOtherService},
		{"no URI SAN", ptr(ca.LeafFor(t, "")), forward.ReasonNoSPIFFEID},
		{"not a mesh id", ptr(ca.LeafFor(t, "spiffe://wardnet.test/use1/tunneller")), forward.ReasonNoSPIFFEID},
		{"no certificate", nil, forward.ReasonNoCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true}
			if tc.leaf != nil {
				cfg.Certificates = []tls.Certificate{tc.leaf.TLSCertificate(t)}
			}
			before := acc.Stats().Refusals[tc.reason]
			if err := rawForward(addr, cfg, validPreamble(t)); err == nil {
				t.Fatal("the acceptor answered a refused peer")
			}
			testenv.Eventually(t, patience, func() error {
				if n := acc.Stats().Refusals[tc.reason]; n != before+1 {
					return fmt.Errorf("%s refusals %d, want %d: %+v", tc.reason, n, before+1, acc.Stats())
				}
				return nil
			})
		})
	}
	if n := holding.count(); n != 0 {
		t.Errorf("%d refused connections reached the holding node", n)
	}
}

// The dialer refuses, in the handshake, an acceptor whose certificate is
// not a tunneller of its region chained to its bundle.
func TestDialerRefusesPeers(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	certsA := nodeCerts(t, ca)
	for _, tc := range []struct {
		name   string
		leaf   forwardtest.Leaf
		reason string
	}{
		{"forged, self-signed", forwardtest.SelfSigned(t, tunneller), forward.ReasonUntrusted},
		{"another region", ca.Node(t, otherRegion), forward.ReasonOtherRegion},
		{"another service", ca.Node(t, otherService), forward.ReasonOtherService},
		{"no URI SAN", ca.LeafFor(t, ""), forward.ReasonNoSPIFFEID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := fakeAcceptor(t, tc.leaf.TLSCertificate(t))
			d := newDialer(t, certsA, addr)
			_, err := forwardOnce(t, d, request(), "secret")
			var pe *forward.PeerError
			if !errors.As(err, &pe) || pe.Reason != tc.reason {
				t.Fatalf("forward: %v; want a PeerError %s", err, tc.reason)
			}
			if st := d.Stats(); st.Failures[tc.reason] != 1 || st.Forwarded != 0 {
				t.Errorf("dialer stats %+v, want one %s", st, tc.reason)
			}
		})
	}
}

// fakeAcceptor is a TLS 1.3 server with leaf that accepts any client and
// answers every preamble: only the dialer's own checks can refuse it.
func fakeAcceptor(t *testing.T, leaf tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{leaf}, ClientAuth: tls.RequestClientCert,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				if _, err := forward.ReadPreamble(c); err == nil {
					_, _ = c.Write([]byte{0})
					_, _ = io.Copy(c, c)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// The acceptor bounds the wait for the handshake and the preamble, and
// answers a preamble it cannot read with a status before it closes.
func TestAcceptorPreamble(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	leafA := ca.Node(t, tunneller)
	certsB := nodeCerts(t, ca)
	holding := &echoNode{}
	acc, addr := startAcceptor(t, certsB, holding, 200*time.Millisecond)
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true, Certificates: []tls.Certificate{leafA.TLSCertificate(t)}}

	valid := validPreamble(t)
	badVersion := bytes.Clone(valid)
	badVersion[4] = 2
	for _, tc := range []struct {
		name   string
		send   []byte
		status int // the answer the client reads, -1 for none
		reason string
	}{
		{"nothing", nil, -1, forward.ReasonTimeout},
		{"half a preamble", valid[:10], -1, forward.ReasonTimeout},
		{"not a preamble", []byte("GET / HTTP/1.1\r\n\r\n"), 1, forward.ReasonBadMagic},
		{"another version", badVersion, 2, forward.ReasonUnsupportedVersion},
		{"slug too long", append([]byte("WNFW\x01\x41"), bytes.Repeat([]byte("a"), 65)...), 1, forward.ReasonMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := acc.Stats().Refusals[tc.reason]
			c, err := tls.Dial("tcp", addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(patience))
			got, _ := io.ReadAll(c)
			if want := []byte{byte(tc.status)}; (tc.status < 0 && len(got) != 0) || (tc.status >= 0 && !bytes.Equal(got, want)) {
				t.Fatalf("client read %x, want status %d", got, tc.status)
			}
			testenv.Eventually(t, patience, func() error {
				if n := acc.Stats().Refusals[tc.reason]; n != before+1 {
					return fmt.Errorf("%s refusals %d, want %d: %+v", tc.reason, n, before+1, acc.Stats())
				}
				return nil
			})
		})
	}

	// A peer that never starts the handshake is dropped too.
	before := acc.Stats().Refusals[forward.ReasonTimeout]
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = raw.Close() }()
	testenv.Eventually(t, patience, func() error {
		if n := acc.Stats().Refusals[forward.ReasonTimeout]; n != before+1 {
			return fmt.Errorf("timeouts %d, want %d", n, before+1)
		}
		return nil
	})
	if n := holding.count(); n != 0 {
		t.Errorf("%d refused connections reached the holding node", n)
	}
}

// rawForward sends a preamble over a hand-made TLS client and reads the
// answer; an error means the acceptor did not accept.
func rawForward(addr string, cfg *tls.Config, pre []byte) error {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(patience))
	if _, err := c.Write(pre); err != nil {
		return err
	}
	var status [1]byte
	if _, err := io.ReadFull(c, status[:]); err != nil {
		return err
	}
	if status[0] != 0 {
		return fmt.Errorf("status %d", status[0])
	}
	return nil
}

func validPreamble(t *testing.T) []byte {
	t.Helper()
	r := request()
	b, err := forward.Preamble{
		Slug: r.Slug, NetworkID: r.NetworkID, DestPort: r.DestPort, Client: r.Client, FirstBytes: r.FirstBytes,
	}.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }
