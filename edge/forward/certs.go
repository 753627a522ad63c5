package forward

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReloadInterval is how often Certs.Run reads the files again.
const DefaultReloadInterval = 5 * time.Second

// CertFiles names the node's mesh material (contract §3.7:
// MTLS_LEAF_CERT_PATH, MTLS_LEAF_KEY_PATH, MTLS_TRUST_BUNDLE_PATH).
type CertFiles struct {
	// Cert is the node's leaf certificate, PEM, optionally followed by
	// its intermediates.
	Cert string
	// Key is the leaf's private key, PEM.
	Key string
	// Bundle is the region's trust bundle, PEM: every certificate in it is
	// a trust anchor.
	Bundle string
}

// Certs is the node's current mesh material: its certificate and key, its
// own SPIFFE id (read from the leaf, never configured) and the trust
// bundle. Run reloads it when the files change; every handshake, either
// side, uses what is current then, so a rotation needs no restart. A
// reload that fails (a file missing, a key that does not match, a half
// written file) keeps the previous material. Its methods are safe for
// concurrent use.
type Certs struct {
	files    CertFiles
	interval time.Duration
	log      *slog.Logger

	cur     atomic.Pointer[material]
	reloads atomic.Uint64
	failed  atomic.Uint64

	mu      sync.Mutex // serialises Reload
	lastErr string     // the last failure logged; "" after a success. Guarded by mu.
}

// material is one load of the files.
type material struct {
	cert   tls.Certificate
	id     ID
	roots  *x509.CertPool
	serial string // the leaf's, for logs
	digest [sha256.Size]byte
}

// LoadCerts reads the files once; it fails if they do not hold a
// certificate with a tunneller SPIFFE id, its key and at least one trust
// anchor. interval is Run's period (DefaultReloadInterval when zero);
// logger receives reload lines (slog.Default when nil).
func LoadCerts(files CertFiles, interval time.Duration, logger *slog.Logger) (*Certs, error) {
	c := &Certs{files: files, interval: cmp.Or(interval, DefaultReloadInterval), log: cmp.Or(logger, slog.Default())}
	if c.interval < 0 {
		return nil, fmt.Errorf("forward: reload interval %s", c.interval)
	}
	raw, err := files.read()
	if err != nil {
		return nil, err
	}
	m, err := parseMaterial(raw)
	if err != nil {
		return nil, err
	}
	c.cur.Store(m)
	return c, nil
}

// Run reloads the files every interval until ctx ends, then returns nil.
func (c *Certs) Run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			_, _ = c.Reload()
		}
	}
}

// Reload reads the files and, if their contents changed, swaps in the new
// material; it reports whether it did. On failure the previous material
// stays and the error says why (logged once per distinct contents).
func (c *Certs) Reload() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	raw, err := c.files.read()
	if err != nil {
		return false, c.failLocked(err)
	}
	if raw.digest() == c.cur.Load().digest {
		return false, nil
	}
	m, err := parseMaterial(raw)
	if err != nil {
		return false, c.failLocked(err)
	}
	old := c.cur.Swap(m)
	c.reloads.Add(1)
	c.lastErr = ""
	c.log.Info("forward: certificates reloaded", "id", m.id.String(), "serial", m.serial, "previous_serial", old.serial)
	return true, nil
}

// failLocked counts a failed reload and logs it unless it is the same
// failure as the last one logged; mu is held.
func (c *Certs) failLocked(err error) error {
	c.failed.Add(1)
	if msg := err.Error(); msg != c.lastErr {
		c.lastErr = msg
		c.log.Warn("forward: certificate reload failed; keeping the previous material", "err", err)
	}
	return err
}

// ID is the node's own SPIFFE id, from the current leaf.
func (c *Certs) ID() ID { return c.cur.Load().id }

// current is the material in use.
func (c *Certs) current() *material { return c.cur.Load() }

// rawFiles are the three files' contents.
type rawFiles struct{ cert, key, bundle []byte }

func (f CertFiles) read() (rawFiles, error) {
	var raw rawFiles
	var err error
	if raw.cert, err = os.ReadFile(f.Cert); err != nil {
		return raw, fmt.Errorf("forward: certificate: %w", err)
	}
	if raw.key, err = os.ReadFile(f.Key); err != nil {
		return raw, fmt.Errorf("forward: key: %w", err)
	}
	if raw.bundle, err = os.ReadFile(f.Bundle); err != nil {
		return raw, fmt.Errorf("forward: trust bundle: %w", err)
	}
	return raw, nil
}

// digest is a SHA-256 over the three contents, each length-prefixed, so
// that no two different sets of files share one.
func (r rawFiles) digest() [sha256.Size]byte {
	h := sha256.New()
	for _, b := range [][]byte{r.cert, r.key, r.bundle} {
		_ = binary.Write(h, binary.BigEndian, uint64(len(b)))
		h.Write(b)
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// parseMaterial checks and parses the files' contents.
func parseMaterial(raw rawFiles) (*material, error) {
	cert, err := tls.X509KeyPair(raw.cert, raw.key)
	if err != nil {
		return nil, fmt.Errorf("forward: certificate and key: %w", err)
	}
	leaf := cert.Leaf // X509KeyPair parses it
	id, err := IDOf(leaf)
	if err != nil {
		return nil, fmt.Errorf("forward: own certificate: %w", err)
	}
	if id.Service != ServiceTunneller {
		return nil, fmt.Errorf("forward: own certificate is %s, not a %s", id, ServiceTunneller)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(raw.bundle) {
		return nil, errors.New("forward: trust bundle holds no certificate")
	}
	return &material{
		cert: cert, id: id, roots: roots,
		serial: leaf.SerialNumber.Text(16),
		digest: raw.digest(),
	}, nil
}

// CertStats counts Certs' reloads.
type CertStats struct {
	// Reloads counts the reloads that swapped in new material; Failures
	// those that kept the previous one.
	Reloads, Failures uint64
}

// Stats returns the reload counters.
func (c *Certs) Stats() CertStats {
	return CertStats{Reloads: c.reloads.Load(), Failures: c.failed.Load()}
}
