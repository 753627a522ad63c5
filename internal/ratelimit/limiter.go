package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// Stream is the JetStream stream that holds every limiter's state.
const Stream = "RATELIMIT"

// subjectPrefix is the prefix of every subject of Stream.
const subjectPrefix = "wardnet.rl."

// MaxWindow is the longest window a Limit may have; the stream's MaxAge is
// a little longer, as a backstop behind the per-message TTL.
const MaxWindow = 24 * time.Hour

// Limits of the contract (wardnet-contract.md §3.5, §3.6).
var (
	// VerificationCodes: POST /v1/verification-codes, per client IP.
	VerificationCodes = Limit{Name: "verification-codes", Max: 10, Window: time.Hour}
	// LoginAttempts: password logins, per client IP. Unlike the
	// reference implementation's per-replica map, the count is shared.
	LoginAttempts = Limit{Name: "login", Max: 10, Window: 5 * time.Minute}
)

// Limits of attempts at one-time codes (docs/tenants.md, "Guessing
// codes"): a code is 6 symbols of 32 and lives 5 minutes.
var (
	// CodeFailures: wrong attempts at codes on any route that takes one
	// (enroll, signup, password reset), per client (ClientKey). An attempt
	// is reserved before the code is checked and given back when the code
	// was right, so only wrong ones stay counted.
	CodeFailures = Limit{Name: "code-failures", Max: 10, Window: time.Hour}
)

// CodeFailureBudget is the cluster-wide budget of wrong attempts at codes
// of one purpose: once spent, every attempt at such a code is refused
// until the oldest failures leave the window, however many addresses the
// guesses come from.
func CodeFailureBudget(purpose string) Limit {
	return Limit{Name: "code-failures-" + purpose, Max: 1000, Window: 5 * time.Minute}
}

// Limits of the ddns service's stock clients, dyndns2 and acme-dns
// (docs/ddns.md), which are answered `abuse` (dyndns2) or 429 (acme-dns)
// beyond them.
var (
	// StockClients: every stock-client request, per client IP, counted
	// before the credential is checked (an argon2id verification costs
	// tens of milliseconds and 19 MiB).
	StockClients = Limit{Name: "ddns-stock-ip", Max: 120, Window: 10 * time.Minute}
	// StockUpdates: dyndns2 updates and acme-dns registrations and
	// updates, per update credential, counted once it is verified (so that
	// nobody can throttle a credential they do not hold).
	StockUpdates = Limit{Name: "ddns-stock-credential", Max: 30, Window: 10 * time.Minute}
)

// Limit is what a Limiter enforces: at most Max admitted requests per key
// in any Window.
type Limit struct {
	// Name identifies the limit in subjects: lower-case letters, digits
	// and '-' or '_'. Two Limiters with the same Name share their counts.
	Name   string
	Max    int
	Window time.Duration
}

var nameRE = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

func (l Limit) validate() error {
	switch {
	case !nameRE.MatchString(l.Name):
		return fmt.Errorf("ratelimit: invalid limit name %q", l.Name)
	case l.Max < 1:
		return fmt.Errorf("ratelimit: limit %s: Max %d < 1", l.Name, l.Max)
	case l.Window < time.Second || l.Window > MaxWindow:
		return fmt.Errorf("ratelimit: limit %s: window %s outside [1s, %s]", l.Name, l.Window, MaxWindow)
	}
	return nil
}

// Options configure a Limiter. Zero fields take the defaults.
type Options struct {
	// Clock reads the current time; default time.Now.
	Clock func() time.Time
	// Replicas of the stream; default 1. Production clusters use 3.
	Replicas int
	// MaxAttempts bounds how often Allow reads and writes again after a
	// concurrent update of the same key; default Max+16. Every conflict
	// means another caller was admitted, so Max+1 attempts always reach a
	// decision unless replicas serve stale reads.
	MaxAttempts int
}

// ErrContention is returned by Allow when it lost the race for a key
// MaxAttempts times in a row. Nothing was recorded; callers should treat
// it as an internal error, not as a refusal.
var ErrContention = errors.New("ratelimit: too much contention on one key")

// Limiter enforces one Limit. It is safe for concurrent use, and any number
// of Limiters with the same Limit, in any number of processes, share their
// counts through the stream.
type Limiter struct {
	limit    Limit
	stream   jetstream.Stream
	js       jetstream.JetStream
	now      func() time.Time
	attempts int
}

// New creates the stream, or updates its configuration, and returns a
// Limiter for limit.
func New(ctx context.Context, js jetstream.JetStream, limit Limit, opts Options) (*Limiter, error) {
	if err := limit.validate(); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = limit.Max + 16
	}
	st, err := js.CreateOrUpdateStream(ctx, StreamConfig(opts.Replicas))
	if err != nil {
		return nil, fmt.Errorf("ratelimit: stream %s: %w", Stream, err)
	}
	return &Limiter{limit: limit, stream: st, js: js, now: opts.Clock, attempts: opts.MaxAttempts}, nil
}

// StreamConfig is the configuration New gives Stream.
func StreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              Stream,
		Description:       "sliding-window rate limits shared by all replicas (internal/ratelimit)",
		Subjects:          []string{subjectPrefix + ">"},
		Storage:           jetstream.FileStorage,
		Replicas:          replicas,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxMsgsPerSubject: 1,
		MaxAge:            MaxWindow + time.Hour,
		Duplicates:        time.Minute,
		AllowMsgTTL:       true,
		AllowDirect:       true,
	}
}

// Limit returns the limit l enforces.
func (l *Limiter) Limit() Limit { return l.limit }

// ClientKey is the key of a client: its proxyproto.ClientPrefix, an IPv4
// address or an IPv6 /64 ("unknown" for no address), so that an attacker
// with a /64 counts once.
func ClientKey(addr netip.Addr) string {
	p := proxyproto.ClientPrefix(addr)
	if !p.IsValid() {
		return "unknown"
	}
	return p.String()
}

// subject is the subject of key under l's limit.
func (l *Limiter) subject(key string) string {
	sum := sha256.Sum256([]byte(key))
	return subjectPrefix + l.limit.Name + "." + hex.EncodeToString(sum[:])
}

// Allow records a request for key and reports whether it is admitted. When
// it is not, retryAfter is how long until the oldest admitted request
// leaves the window and a new one would be admitted. A refused request is
// not recorded. err is non-nil only when the decision could not be made
// (NATS unreachable, ErrContention); the request should then fail, not be
// admitted.
func (l *Limiter) Allow(ctx context.Context, key string) (allowed bool, retryAfter time.Duration, err error) {
	_, allowed, retryAfter, err = l.Reserve(ctx, key)
	return allowed, retryAfter, err
}

// Reservation is an admitted request that may still be taken back out of
// the window (Cancel): a limit of failures admits an attempt before it
// knows whether it fails, and cancels it when it succeeds, so that the
// limit holds exactly however many attempts run at once.
type Reservation struct {
	l    *Limiter
	subj string
	at   int64 // the admitted time, Unix nanoseconds
}

// Reserve is Allow, and returns the admitted request's Reservation.
func (l *Limiter) Reserve(ctx context.Context, key string) (r Reservation, allowed bool, retryAfter time.Duration, err error) {
	subj := l.subject(key)
	for range l.attempts {
		last, times, err := l.read(ctx, subj)
		if err != nil {
			return Reservation{}, false, 0, fmt.Errorf("ratelimit %s: %w", l.limit.Name, err)
		}
		now := l.now()
		times = inWindow(times, now, l.limit.Window)
		if len(times) >= l.limit.Max {
			// The request is admitted again once all but Max-1 of the
			// admitted ones have left the window.
			oldest := times[len(times)-l.limit.Max]
			return Reservation{}, false, max(oldest.Add(l.limit.Window).Sub(now), time.Nanosecond), nil
		}
		times = append(times, now)
		ok, err := l.write(ctx, subj, last, times)
		if err != nil {
			return Reservation{}, false, 0, fmt.Errorf("ratelimit %s: %w", l.limit.Name, err)
		}
		if ok {
			return Reservation{l: l, subj: subj, at: now.UnixNano()}, true, 0, nil
		}
	}
	return Reservation{}, false, 0, fmt.Errorf("ratelimit %s: %d attempts: %w", l.limit.Name, l.attempts, ErrContention)
}

// Cancel takes the reserved request out of the window, as if it had
// never been admitted. Cancelling a request that has left the window
// already, or twice, changes nothing.
func (r Reservation) Cancel(ctx context.Context) error {
	l := r.l
	if l == nil {
		return nil
	}
	for range l.attempts {
		last, times, err := l.read(ctx, r.subj)
		if err != nil {
			return fmt.Errorf("ratelimit %s: cancel: %w", l.limit.Name, err)
		}
		i := slices.IndexFunc(times, func(t time.Time) bool { return t.UnixNano() == r.at })
		if i < 0 {
			return nil
		}
		ok, err := l.write(ctx, r.subj, last, slices.Delete(times, i, i+1))
		if err != nil {
			return fmt.Errorf("ratelimit %s: cancel: %w", l.limit.Name, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("ratelimit %s: cancel: %d attempts: %w", l.limit.Name, l.attempts, ErrContention)
}

// state is the body of a subject's message.
type state struct {
	// Times of the admitted requests in the window, Unix nanoseconds,
	// oldest first.
	Times []int64 `json:"t"`
}

// read returns the sequence of the subject's last message (0 if none) and
// the times it holds.
func (l *Limiter) read(ctx context.Context, subj string) (uint64, []time.Time, error) {
	msg, err := l.stream.GetLastMsgForSubject(ctx, subj)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read state: %w", err)
	}
	var s state
	if err := json.Unmarshal(msg.Data, &s); err != nil {
		return 0, nil, fmt.Errorf("read state at seq %d: %w", msg.Sequence, err)
	}
	times := make([]time.Time, len(s.Times))
	for i, t := range s.Times {
		times[i] = time.Unix(0, t)
	}
	slices.SortFunc(times, time.Time.Compare)
	return msg.Sequence, times, nil
}

// inWindow returns the times after now-window; times is sorted.
func inWindow(times []time.Time, now time.Time, window time.Duration) []time.Time {
	start := now.Add(-window)
	i := 0
	for i < len(times) && !times[i].After(start) {
		i++
	}
	return times[i:]
}

// write stores times as the subject's state if its last sequence is still
// last. It reports false when another writer came first.
func (l *Limiter) write(ctx context.Context, subj string, last uint64, times []time.Time) (bool, error) {
	s := state{Times: make([]int64, len(times))}
	for i, t := range times {
		s.Times[i] = t.UnixNano()
	}
	body, err := json.Marshal(s)
	if err != nil {
		return false, fmt.Errorf("encode state: %w", err)
	}
	msg := nats.NewMsg(subj)
	msg.Data = body
	_, err = l.js.PublishMsg(ctx, msg,
		jetstream.WithExpectLastSequencePerSubject(last),
		jetstream.WithMsgTTL(ttl(l.limit.Window)),
	)
	if isConflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write state: %w", err)
	}
	return true, nil
}

// ttl rounds the window up to whole seconds, the unit of Nats-TTL.
func ttl(window time.Duration) time.Duration {
	return ((window + time.Second - 1) / time.Second) * time.Second
}

// isConflict reports whether err is JetStream refusing a publish because the
// subject's last sequence was not the expected one.
func isConflict(err error) bool {
	var jsErr jetstream.JetStreamError
	if !errors.As(err, &jsErr) || jsErr.APIError() == nil {
		return false
	}
	switch jsErr.APIError().ErrorCode {
	case jetstream.JSErrCodeStreamWrongLastSequence, jetstream.JSErrCodeStreamWrongLastSequenceConstant:
		return true
	}
	return false
}

// String describes the limit, e.g. "login: 10 per 5m0s".
func (l Limit) String() string {
	return l.Name + ": " + strconv.Itoa(l.Max) + " per " + l.Window.String()
}
