package forward

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// serverName is the SNI a forward dial sends (contract §3.7): a
// placeholder, since peers are told apart by SPIFFE id, not host name.
const serverName = "tunneller.mesh"

// PeerError is a handshake refused because of the peer's certificate:
// not chained to the trust bundle, without a mesh SPIFFE id, or the id of
// another service or another region. Reason is its metric label.
type PeerError struct {
	// Reason is one of no_certificate, untrusted, no_spiffe_id,
	// other_service, other_region.
	Reason string
	// ID is the peer's id, when it had one.
	ID  ID
	Err error
}

func (e *PeerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("forward: peer refused (%s): %v", e.Reason, e.Err)
	}
	return fmt.Sprintf("forward: peer %s refused (%s)", e.ID, e.Reason)
}

func (e *PeerError) Unwrap() error { return e.Err }

// verifyPeer checks a peer's chain against the current trust bundle for
// usage, then its SPIFFE id: a tunneller of this node's own scope (the
// scope-direction rule of a regional acceptor and the pin of a forward
// dial, contract §3.7). Host names are not checked.
func (c *Certs) verifyPeer(chain []*x509.Certificate, usage x509.ExtKeyUsage) error {
	m := c.current()
	if len(chain) == 0 {
		return &PeerError{Reason: ReasonNoCertificate, Err: errors.New("no certificate")}
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	opts := x509.VerifyOptions{Roots: m.roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}
	if _, err := chain[0].Verify(opts); err != nil {
		return &PeerError{Reason: ReasonUntrusted, Err: err}
	}
	id, err := IDOf(chain[0])
	if err != nil {
		return &PeerError{Reason: ReasonNoSPIFFEID, Err: err}
	}
	switch {
	case id.Service != ServiceTunneller:
		return &PeerError{Reason: ReasonOtherService, ID: id}
	case id.Scope != m.id.Scope:
		return &PeerError{Reason: ReasonOtherRegion, ID: id}
	}
	return nil
}

// serverConfig is the acceptor's TLS: 1.3 only, the current certificate
// at every handshake, a client certificate asked for and checked by
// verifyPeer against the current bundle (RequestClientCert rather than
// Require…, so that a missing one reaches verifyPeer and is counted as
// such). Session tickets are off: every connection is a full handshake,
// checked against the material of its time.
func (c *Certs) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion:             tls.VersionTLS13,
		MaxVersion:             tls.VersionTLS13,
		SessionTicketsDisabled: true,
		ClientAuth:             tls.RequestClientCert,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return &c.current().cert, nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			return c.verifyPeer(cs.PeerCertificates, x509.ExtKeyUsageClientAuth)
		},
	}
}

// clientConfig is the dialer's TLS: 1.3 only, the current certificate at
// every handshake, and the server's chain and id checked by verifyPeer
// against the current bundle instead of by host name (the standard check
// is off for that reason only: VerifyConnection does it, always).
func (c *Certs) clientConfig() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		MaxVersion:         tls.VersionTLS13,
		ServerName:         serverName,
		InsecureSkipVerify: true, // verified in VerifyConnection
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &c.current().cert, nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			return c.verifyPeer(cs.PeerCertificates, x509.ExtKeyUsageServerAuth)
		},
	}
}
