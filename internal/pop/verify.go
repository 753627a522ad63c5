package pop

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Reasons a request is refused. Their Error() strings are the bodies of the
// contract's 401 answers (§1.3), so callers may send them as they are.
var (
	ErrTimestamp = errors.New("missing or invalid X-Wardnet-Timestamp")
	ErrSignature = errors.New("invalid request signature")
	ErrReplayed  = errors.New("replayed request")
)

// Window is how far a request's timestamp may be from the verifier's clock,
// either way.
const Window = 60 * time.Second

// ReplayBucket is the JetStream KV bucket that holds the requests seen in
// the last ReplayTTL, shared by every replica of every service that checks
// proofs of possession.
const ReplayBucket = "POP_REPLAY"

// ReplayTTL is how long a seen request is remembered: a request can be
// replayed at most until its timestamp leaves the window, which is at most
// 2×Window after it was first accepted. The bucket's MaxAge counts on the
// NATS servers' clocks, so the replicas' clocks must agree with them (to
// within a second or so, as NTP keeps them) for the cache to cover the
// whole window.
const ReplayTTL = 2 * Window

// maxTimestampLen bounds the timestamp header; an int64 has at most 20
// characters with its sign.
const maxTimestampLen = 20

// Options configure a Verifier. Zero fields take the defaults.
type Options struct {
	// Clock reads the time the window is checked against; default time.Now.
	Clock func() time.Time
	// Replicas of the replay bucket; default 1. Production clusters use 3.
	Replicas int
}

// Verifier checks the proof of possession of requests. It is safe for
// concurrent use; any number of Verifiers, in any number of processes, may
// share one JetStream and so one replay cache.
type Verifier struct {
	seen jetstream.KeyValue
	now  func() time.Time
}

// NewVerifier creates the replay bucket in js, or updates its
// configuration, and returns a Verifier that uses it.
func NewVerifier(ctx context.Context, js jetstream.JetStream, opts Options) (*Verifier, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      ReplayBucket,
		Description: "proof-of-possession replay cache (internal/pop)",
		History:     1,
		TTL:         ReplayTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("pop: replay bucket %s: %w", ReplayBucket, err)
	}
	return &Verifier{seen: kv, now: opts.Clock}, nil
}

// Verify checks that r, whose body is body, was signed by key at a time
// within Window of now and has not been accepted before for subject (the
// caller's identity: the token's sub, or the public key of a token
// request). r must be a request received by an http.Server: the signed
// path and query is r.RequestURI, the request target exactly as sent.
//
// It returns nil, ErrTimestamp, ErrSignature or ErrReplayed, in the order
// of those checks; any other error means the replay cache could not be
// reached, and the request was neither accepted nor refused. The signature
// is checked before the replay cache is touched, so forged requests cost
// no writes and cannot burn a genuine request's place.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, subject string, key ed25519.PublicKey, body []byte) error {
	ts, err := parseTimestamp(r.Header.Values(HeaderTimestamp))
	if err != nil {
		return ErrTimestamp
	}
	if !withinWindow(ts, v.now().Unix()) {
		return ErrTimestamp
	}
	sig, err := parseSignature(r.Header.Values(HeaderSignature))
	if err != nil {
		return ErrSignature
	}
	if len(key) != ed25519.PublicKeySize || r.RequestURI == "" {
		return ErrSignature // ed25519.Verify panics on a short key
	}
	timestamp := strconv.FormatInt(ts, 10) // the contract signs the re-formatted value
	bodyHash := BodyHash(body)
	if !ed25519.Verify(key, messageWithHash(r.Method, r.RequestURI, timestamp, bodyHash), sig) {
		return ErrSignature
	}
	id := replayKey(subject, r.Method, r.RequestURI, timestamp, bodyHash)
	if _, err := v.seen.Create(ctx, id, nil); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return ErrReplayed
		}
		return fmt.Errorf("pop: replay cache: %w", err)
	}
	return nil
}

// parseTimestamp reads the one X-Wardnet-Timestamp value: a decimal int64.
func parseTimestamp(values []string) (int64, error) {
	if len(values) != 1 {
		return 0, fmt.Errorf("%d timestamp headers", len(values))
	}
	s := values[0]
	if s == "" || len(s) > maxTimestampLen {
		return 0, fmt.Errorf("timestamp of %d bytes", len(s))
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("timestamp: %w", err)
	}
	return ts, nil
}

// parseSignature reads the one X-Wardnet-Signature value: canonical
// standard base64 with padding of exactly 64 bytes.
func parseSignature(values []string) ([]byte, error) {
	if len(values) != 1 {
		return nil, fmt.Errorf("%d signature headers", len(values))
	}
	s := values[0]
	if len(s) != base64.StdEncoding.EncodedLen(ed25519.SignatureSize) {
		return nil, fmt.Errorf("signature of %d characters", len(s))
	}
	if strings.ContainsAny(s, "\r\n") { // the decoder would skip them
		return nil, errors.New("line break in signature")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("signature of %d bytes", len(sig))
	}
	return sig, nil
}

// withinWindow reports whether |now − ts| ≤ Window without overflowing
// for any ts (now is a real clock, far from the int64 limits).
func withinWindow(ts, now int64) bool {
	w := int64(Window / time.Second)
	return ts >= now-w && ts <= now+w
}

// replayKey is the replay cache's key for a request: the hex SHA-256 of
// its fields, each preceded by its length so that no two different
// requests share an encoding.
func replayKey(subject, method, pathAndQuery, timestamp, bodyHash string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range []string{subject, method, pathAndQuery, timestamp, bodyHash} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}
