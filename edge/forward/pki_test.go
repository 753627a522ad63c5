package forward_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The ids of the tests' mesh (the contract's dev material: trust domain
// wardnet.test, env dev, region use1).
const (
	tunnellerURI = "spiffe://wardnet.test/dev/use1/tunneller"
	otherRegion  = "spiffe://wardnet.test/dev/euc1/tunneller"
	otherService = "spiffe://wardnet.test/dev/use1/ddns"
)

// testCA is a region's certificate authority, made in the test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pemOf("CERTIFICATE", der)}
}

// leafPEM is a leaf certificate and key, and its serial.
type leafPEM struct {
	cert, key []byte
	serial    *big.Int
}

// tlsCert is the leaf as a tls.Certificate, for a hand-made TLS client.
func (l leafPEM) tlsCert(t *testing.T) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair(l.cert, l.key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leaf issues a leaf for uri ("" for none) with the mesh's key usages.
func (ca *testCA) leaf(t *testing.T, uri string) leafPEM {
	t.Helper()
	return issue(t, uri, ca.cert, ca.key, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth})
}

// selfSigned is a leaf for uri signed by its own key: chained to no CA.
func selfSigned(t *testing.T, uri string) leafPEM {
	t.Helper()
	return issue(t, uri, nil, nil, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth})
}

func issue(t *testing.T, uri string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, eku []x509.ExtKeyUsage) leafPEM {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "tunneller"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  eku,
	}
	if uri != "" {
		u, err := url.Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.URIs = []*url.URL{u}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return leafPEM{cert: pemOf("CERTIFICATE", der), key: pemOf("PRIVATE KEY", kder), serial: tmpl.SerialNumber}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// nodeFiles are one node's three files in a directory of its own.
type nodeFiles struct {
	t     *testing.T
	files forward.CertFiles
}

func newNodeFiles(t *testing.T, l leafPEM, bundle ...[]byte) *nodeFiles {
	t.Helper()
	dir := t.TempDir()
	n := &nodeFiles{t: t, files: forward.CertFiles{
		Cert: filepath.Join(dir, "leaf.pem"), Key: filepath.Join(dir, "leaf.key"), Bundle: filepath.Join(dir, "bundle.pem"),
	}}
	n.write(l, bundle...)
	return n
}

// write replaces the files, each by a rename, as a secret projection
// does.
func (n *nodeFiles) write(l leafPEM, bundle ...[]byte) {
	n.t.Helper()
	var b []byte
	for _, c := range bundle {
		b = append(b, c...)
	}
	for path, data := range map[string][]byte{n.files.Cert: l.cert, n.files.Key: l.key, n.files.Bundle: b} {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			n.t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			n.t.Fatal(err)
		}
	}
}

// load reads the files into Certs that reload every few milliseconds.
func (n *nodeFiles) load() *forward.Certs {
	n.t.Helper()
	c, err := forward.LoadCerts(n.files, 5*time.Millisecond, testenv.NewLogs(n.t).Logger())
	if err != nil {
		n.t.Fatal(err)
	}
	return c
}
