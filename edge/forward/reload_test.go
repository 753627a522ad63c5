package forward_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A node whose certificate files are rotated presents the new certificate
// in its next handshakes, as dialer and as acceptor, without a restart.
func TestReloadRotatesNodeCertificate(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	leafA, leafB := ca.Node(t, tunneller), ca.Node(t, tunneller)
	filesA, filesB := ca.Files(t, leafA), ca.Files(t, leafB)
	certsA, certsB := forwardtest.Load(t, filesA), forwardtest.Load(t, filesB)
	runCerts(t, certsA)
	runCerts(t, certsB)
	holding := &echoNode{}
	_, addr := startAcceptor(t, certsB, holding, 0)
	d := newDialer(t, certsA, addr)

	// The dialer's side: the holding node sees the new serial.
	if _, err := forwardOnce(t, d, request(), "before"); err != nil {
		t.Fatal(err)
	}
	if got := holding.last().serial; got.Cmp(leafA.Serial) != 0 {
		t.Fatalf("acceptor saw serial %x, want %x", got, leafA.Serial)
	}
	rotatedA := ca.Node(t, tunneller)
	forwardtest.WriteFiles(t, filesA, rotatedA, ca.Bundle())
	testenv.Eventually(t, patience, func() error {
		if _, err := forwardOnce(t, d, request(), "after"); err != nil {
			return err
		}
		return sameSerial("acceptor saw", holding.last().serial, rotatedA.Serial)
	})

	// The acceptor's side: a client sees the new serial.
	client := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true, Certificates: []tls.Certificate{rotatedA.TLSCertificate(t)}}
	if err := sameSerial("client saw", serverSerial(t, addr, client), leafB.Serial); err != nil {
		t.Fatal(err)
	}
	rotatedB := ca.Node(t, tunneller)
	forwardtest.WriteFiles(t, filesB, rotatedB, ca.Bundle())
	testenv.Eventually(t, patience, func() error {
		return sameSerial("client saw", serverSerial(t, addr, client), rotatedB.Serial)
	})
	if _, err := forwardOnce(t, d, request(), "still"); err != nil {
		t.Fatalf("forward after both rotations: %v", err)
	}
	// Failures may be counted too: a poll between two of the renames reads
	// a certificate with the other's key, and keeps the previous pair.
	if st := certsA.Stats(); st.Reloads != 1 {
		t.Errorf("node A reloads %+v, want one", st)
	}
}

// A node whose bundle no longer holds the old CA refuses certificates
// from it, without a restart; a peer rotated to the new CA gets through.
func TestReloadReplacesCA(t *testing.T) {
	t.Parallel()
	oldCA, newCA := forwardtest.NewCA(t, trustDomain), forwardtest.NewCA(t, trustDomain)
	// Node A already trusts both CAs (a transitional bundle) but still has
	// a certificate of the old one.
	leafA := oldCA.Node(t, tunneller)
	filesA := oldCA.Files(t, leafA)
	forwardtest.WriteFiles(t, filesA, leafA, oldCA.Bundle(), newCA.Bundle())
	filesB := oldCA.Files(t, oldCA.Node(t, tunneller))
	certsA, certsB := forwardtest.Load(t, filesA), forwardtest.Load(t, filesB)
	runCerts(t, certsA)
	runCerts(t, certsB)
	acc, addr := startAcceptor(t, certsB, &echoNode{}, 0)
	d := newDialer(t, certsA, addr)
	if _, err := forwardOnce(t, d, request(), "before"); err != nil {
		t.Fatal(err)
	}

	forwardtest.WriteFiles(t, filesB, newCA.Node(t, tunneller), newCA.Bundle())
	testenv.Eventually(t, patience, func() error {
		_, err := forwardOnce(t, d, request(), "old certificate")
		if !errors.Is(err, forward.ErrRefused) {
			return fmt.Errorf("forward with a certificate of the old CA: %v; want refused", err)
		}
		return nil
	})
	testenv.Eventually(t, patience, func() error {
		if n := acc.Stats().Refusals[forward.ReasonUntrusted]; n == 0 {
			return fmt.Errorf("acceptor counted no untrusted peer: %+v", acc.Stats())
		}
		return nil
	})

	forwardtest.WriteFiles(t, filesA, newCA.Node(t, tunneller), newCA.Bundle())
	testenv.Eventually(t, patience, func() error {
		_, err := forwardOnce(t, d, request(), "new certificate")
		return err
	})
}

// A reload that fails keeps the material in use; the next good files are
// taken.
func TestReloadFailureKeepsPrevious(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	files := ca.Files(t, ca.Node(t, tunneller))
	certs := forwardtest.Load(t, files)
	want := certs.ID()

	a, b := ca.Node(t, tunneller), ca.Node(t, tunneller)
	put := func(l forwardtest.Leaf, bundle ...[]byte) { forwardtest.WriteFiles(t, files, l, bundle...) }
	for name, write := range map[string]func(){
		"a key of another certificate": func() { put(forwardtest.Leaf{Cert: a.Cert, Key: b.Key}, ca.Bundle()) },
		"an empty bundle":              func() { put(a) },
		"a ddns certificate":           func() { put(ca.Node(t, otherService), ca.Bundle()) },
		"a missing key": func() {
			if err := os.Remove(files.Key); err != nil {
				t.Fatal(err)
			}
		},
	} {
		write()
		if changed, err := certs.Reload(); err == nil || changed {
			t.Errorf("%s: reload %v, %v; want an error", name, changed, err)
		}
		if certs.ID() != want {
			t.Errorf("%s: id %s, want %s", name, certs.ID(), want)
		}
	}
	put(a, ca.Bundle())
	if changed, err := certs.Reload(); err != nil || !changed {
		t.Fatalf("reload of good files: %v, %v", changed, err)
	}
	if changed, err := certs.Reload(); err != nil || changed {
		t.Fatalf("reload of the same files: %v, %v; want no change", changed, err)
	}
	if st := certs.Stats(); st.Reloads != 1 || st.Failures != 4 {
		t.Errorf("stats %+v, want 1 reload and 4 failures", st)
	}
}

// LoadCerts refuses files that do not make a tunneller of the mesh.
func TestLoadCertsRefuses(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	noBundle := ca.Files(t, ca.Node(t, tunneller))
	forwardtest.WriteFiles(t, noBundle, ca.Node(t, tunneller))
	for name, files := range map[string]forward.CertFiles{
		"another service": ca.Files(t, ca.Node(t, otherService)),
		"no URI SAN":      ca.Files(t, ca.LeafFor(t, "")),
		"no bundle":       noBundle,
	} {
		if _, err := forward.LoadCerts(files, 0, nil); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// serverSerial is the serial of the certificate the acceptor at addr
// presents.
func serverSerial(t *testing.T, addr string, cfg *tls.Config) *big.Int {
	t.Helper()
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	return c.ConnectionState().PeerCertificates[0].SerialNumber
}

func sameSerial(who string, got, want *big.Int) error {
	if got == nil || got.Cmp(want) != 0 {
		return fmt.Errorf("%s serial %x, want %x", who, got, want)
	}
	return nil
}
