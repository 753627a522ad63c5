package forwardtest_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
)

// A node's leaf carries its id, chains to its CA only, and its files load
// as the node's Certs.
func TestNode(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, "wardnet.test")
	id := ca.Tunneller("use1")
	if id.String() != "spiffe://wardnet.test/dev/use1/tunneller" {
		t.Fatalf("Tunneller = %s", id)
	}
	leaf := ca.Node(t, id)
	cert := parse(t, leaf.Cert)
	if got, err := forward.IDOf(cert); err != nil || got != id {
		t.Fatalf("IDOf = %s, %v; want %s", got, err, id)
	}
	if cert.SerialNumber.Cmp(leaf.Serial) != 0 {
		t.Errorf("serial %x, want %x", cert.SerialNumber, leaf.Serial)
	}
	if cert.NotAfter.Sub(cert.NotBefore) > 2*forwardtest.Validity {
		t.Errorf("valid from %s to %s", cert.NotBefore, cert.NotAfter)
	}
	if err := verify(cert, ca.Bundle()); err != nil {
		t.Errorf("the leaf does not chain to its CA: %v", err)
	}
	if err := verify(cert, forwardtest.NewCA(t, "wardnet.test").Bundle()); err == nil {
		t.Error("the leaf chains to another CA")
	}
	if err := verify(parse(t, forwardtest.SelfSigned(t, id).Cert), ca.Bundle()); err == nil {
		t.Error("a self-signed leaf chains to the CA")
	}
	_ = leaf.TLSCertificate(t)

	files := ca.Files(t, leaf)
	if got := forwardtest.Load(t, files).ID(); got != id {
		t.Errorf("loaded id %s, want %s", got, id)
	}
	bundle, err := os.ReadFile(files.Bundle)
	if err != nil || string(bundle) != string(ca.Bundle()) {
		t.Errorf("bundle file %q, %v", bundle, err)
	}
}

// LeafFor issues what the mesh refuses: no URI SAN, or one that is no
// mesh id.
func TestLeafFor(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, "wardnet.test")
	if c := parse(t, ca.LeafFor(t, "").Cert); len(c.URIs) != 0 {
		t.Errorf("URIs %v, want none", c.URIs)
	}
	c := parse(t, ca.LeafFor(t, "spiffe://wardnet.test/use1/tunneller").Cert)
	if _, err := forward.IDOf(c); err == nil {
		t.Error("a leaf of three segments has a mesh id")
	}
}

func parse(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(certPEM)
	if b == nil {
		t.Fatal("no PEM block")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verify(c *x509.Certificate, bundle []byte) error {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(bundle)
	_, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return err
}
