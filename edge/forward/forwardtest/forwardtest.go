package forwardtest

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

// Env is the env segment of the ids Tunneller makes: the contract's dev
// material's.
const Env = "dev"

// Validity is how long a leaf is valid, from a few minutes before it is
// issued (a CA's is a day).
const Validity = time.Hour

// ReloadInterval is the period of Certs.Run for the Certs Load returns.
const ReloadInterval = 5 * time.Millisecond

// backdate covers a clock a little behind the issuer's.
const backdate = 5 * time.Minute

// CA is a region's certificate authority, made in the test: its own key
// and self-signed certificate.
type CA struct {
	// TrustDomain is the trust domain of the ids Tunneller makes.
	TrustDomain string
	cert        *x509.Certificate
	key         *ecdsa.PrivateKey
	pem         []byte
}

// NewCA makes a CA for trustDomain, with a key and a serial of its own: two
// CAs never trust each other's leaves.
func NewCA(t testing.TB, trustDomain string) *CA {
	t.Helper()
	key := newKey(t)
	sn := serial(t)
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: trustDomain + " test CA " + sn.Text(16)},
		NotBefore:             time.Now().Add(-backdate),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
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
	return &CA{TrustDomain: trustDomain, cert: cert, key: key, pem: pemOf("CERTIFICATE", der)}
}

// Bundle is the CA's certificate, PEM: a trust bundle of this CA alone.
// Concatenate several for a bundle that trusts several CAs.
func (ca *CA) Bundle() []byte { return append([]byte(nil), ca.pem...) }

// Tunneller is the id of a tunnel edge node of region in the CA's trust
// domain: spiffe://<trust domain>/dev/<region>/tunneller.
func (ca *CA) Tunneller(region string) forward.ID {
	return forward.ID{TrustDomain: ca.TrustDomain, Env: Env, Scope: region, Service: forward.ServiceTunneller}
}

// Node issues a leaf for id.
func (ca *CA) Node(t testing.TB, id forward.ID) Leaf {
	t.Helper()
	return issue(t, id.String(), ca.cert, ca.key)
}

// LeafFor issues a leaf whose one URI SAN is uri, any string, or which has
// none when uri is empty: for the certificates the mesh must refuse for
// their id (no SPIFFE id, one that is not a mesh id).
func (ca *CA) LeafFor(t testing.TB, uri string) Leaf {
	t.Helper()
	return issue(t, uri, ca.cert, ca.key)
}

// Files writes leaf and the CA's bundle to a directory of the test's own
// and returns their paths, for forward.LoadCerts.
func (ca *CA) Files(t testing.TB, leaf Leaf) forward.CertFiles {
	t.Helper()
	dir := t.TempDir()
	files := forward.CertFiles{
		Cert:   filepath.Join(dir, "leaf.pem"),
		Key:    filepath.Join(dir, "leaf.key"),
		Bundle: filepath.Join(dir, "bundle.pem"),
	}
	WriteFiles(t, files, leaf, ca.pem)
	return files
}

// SelfSigned is a leaf for id signed by its own key: a forgery with the
// right id, chained to no CA.
func SelfSigned(t testing.TB, id forward.ID) Leaf {
	t.Helper()
	return issue(t, id.String(), nil, nil)
}

// Leaf is a leaf certificate and its key, PEM (PKCS #8), and its serial.
type Leaf struct {
	Cert, Key []byte
	Serial    *big.Int
}

// TLSCertificate is the leaf as a tls.Certificate, for a hand-made TLS
// client or server.
func (l Leaf) TLSCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair(l.Cert, l.Key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// WriteFiles replaces the three files with leaf and the concatenation of
// bundle (an empty file when there is none), each by a rename, as a
// secret projection does: a reload sees each file whole, the old or the
// new.
func WriteFiles(t testing.TB, files forward.CertFiles, leaf Leaf, bundle ...[]byte) {
	t.Helper()
	var b []byte
	for _, c := range bundle {
		b = append(b, c...)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{files.Cert, leaf.Cert}, {files.Key, leaf.Key}, {files.Bundle, b}} {
		tmp := f.path + ".tmp"
		if err := os.WriteFile(tmp, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, f.path); err != nil {
			t.Fatal(err)
		}
	}
}

// Load reads files into Certs that log to the test and, once the caller
// runs their Run, reload every ReloadInterval.
func Load(t testing.TB, files forward.CertFiles) *forward.Certs {
	t.Helper()
	c, err := forward.LoadCerts(files, ReloadInterval, testenv.NewLogs(t).Logger())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// issue makes a leaf for uri ("" for no URI SAN) signed by parent, or by
// its own key when parent is nil, with the mesh's key usages.
func issue(t testing.TB, uri string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) Leaf {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: forward.ServiceTunneller},
		NotBefore:    time.Now().Add(-backdate),
		NotAfter:     time.Now().Add(Validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
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
	return Leaf{Cert: pemOf("CERTIFICATE", der), Key: pemOf("PRIVATE KEY", kder), Serial: tmpl.SerialNumber}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serial is a random positive serial of 120 bits.
func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n.Add(n, big.NewInt(1))
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
