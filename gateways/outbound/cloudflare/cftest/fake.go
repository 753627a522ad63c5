package cftest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Clock tells the fake what time it is.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Cloudflare's documented global limit.
const (
	DefaultCeiling       = 1200
	DefaultCeilingWindow = 5 * time.Minute
	requestLogSize       = 20000
)

// Option configures a Fake.
type Option func(*Fake)

// WithClock makes the fake read time from c (timestamps, ceiling window).
func WithClock(c Clock) Option { return func(f *Fake) { f.clock = c } }

// WithCeiling sets the request ceiling: past n requests in window the fake
// answers 429 (code 971) to everything for a whole window, as Cloudflare
// does. n <= 0 turns the ceiling off. The default is 1 200 per 5 minutes.
func WithCeiling(n int, window time.Duration) Option {
	return func(f *Fake) { f.ceiling, f.window = n, window }
}

// WithZone adds a zone with a given id (32 hex digits) and name.
func WithZone(id, name string) Option {
	return func(f *Fake) { f.zones[id] = &zone{id: id, name: strings.ToLower(name), records: map[string]Record{}} }
}

// Fault is an injected answer that replaces the next requests' real ones.
type Fault struct {
	Status     int           // HTTP status, e.g. 429, 500, 503
	RetryAfter time.Duration // sent as Retry-After (whole seconds) with 429
	HTML       bool          // answer an HTML page instead of the envelope, as an edge proxy might
	Drop       bool          // close the connection without an answer (Status is ignored)
}

// RequestInfo is one request as the fake saw it.
type RequestInfo struct {
	Method string
	Path   string
	Query  string
	At     time.Time // on the fake's clock
	Status int
}

type zone struct {
	id      string
	name    string
	records map[string]Record // by id
}

// Fake is an in-memory Cloudflare DNS records API. It is an http.Handler
// and is safe for concurrent use.
type Fake struct {
	token string

	mu       sync.Mutex // guards everything below
	clock    Clock
	zones    map[string]*zone
	ceiling  int
	window   time.Duration
	blocked  time.Time     // ceiling exceeded: all requests refused until then
	recent   []time.Time   // admitted request times within the ceiling window
	faults   []Fault       // FIFO of injected answers
	latency  time.Duration // added to every request
	requests int64
	log      []RequestInfo // last requestLogSize requests
}

// New returns a fake that accepts the API token token. Without WithZone it
// has no zones; see AddZone.
func New(token string, opts ...Option) *Fake {
	f := &Fake{
		token: token, clock: systemClock{}, zones: map[string]*zone{},
		ceiling: DefaultCeiling, window: DefaultCeilingWindow,
	}
	for _, o := range opts {
		o(f)
	}
	return f
}

// AddZone adds a zone named name and returns its new id.
func (f *Fake) AddZone(name string) string {
	id := NewID()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zones[id] = &zone{id: id, name: strings.ToLower(name), records: map[string]Record{}}
	return id
}

// NewID returns a random identifier shaped like Cloudflare's (32 hex digits).
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func isID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Inject makes the next n requests answer f instead of their real answer.
// Injections queue up in order.
func (f *Fake) Inject(fault Fault, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, fault)
	}
}

// ClearFaults drops injections not yet served.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// SetLatency delays every answer by d (real time; cut short if the client
// goes away).
func (f *Fake) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Requests returns how many API requests the fake has received.
func (f *Fake) Requests() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// RequestLog returns the last requests (up to 20 000), oldest first.
func (f *Fake) RequestLog() []RequestInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// ServeHTTP serves the Cloudflare API under /client/v4.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	info := f.admit(r)
	defer func() { f.record(info, sw.status) }()

	if d := f.currentLatency(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fl := f.throttled(); fl != nil {
		writeFailure(sw, fl)
		return
	}
	if fault, ok := f.nextFault(); ok {
		serveFault(sw, fault)
		return
	}
	if fl := f.authenticate(r); fl != nil {
		writeFailure(sw, fl)
		return
	}
	f.route(sw, r)
}

func (f *Fake) admit(r *http.Request) RequestInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	return RequestInfo{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, At: f.clock.Now()}
}

// record logs a request; status 0 means no answer was written (dropped,
// or the client went away).
func (f *Fake) record(info RequestInfo, status int) {
	info.Status = status
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.log) >= requestLogSize {
		f.log = slices.Delete(f.log, 0, len(f.log)-requestLogSize+1)
	}
	f.log = append(f.log, info)
}

func (f *Fake) currentLatency() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.latency
}

// throttled applies the request ceiling. A request past the ceiling blocks
// every request for a whole window; refused requests do not count.
func (f *Fake) throttled() *failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ceiling <= 0 {
		return nil
	}
	now := f.clock.Now()
	if now.Before(f.blocked) {
		return f.throttleFailure(f.blocked.Sub(now))
	}
	cut := 0
	for cut < len(f.recent) && !f.recent[cut].After(now.Add(-f.window)) {
		cut++
	}
	f.recent = f.recent[cut:]
	if len(f.recent) >= f.ceiling {
		f.blocked = now.Add(f.window)
		f.recent = nil
		return f.throttleFailure(f.window)
	}
	f.recent = append(f.recent, now)
	return nil
}

func (f *Fake) throttleFailure(wait time.Duration) *failure {
	fl := fail(http.StatusTooManyRequests, CodeThrottled, "Please wait and consider throttling your request speed")
	fl.retryAfter = wait
	return fl
}

func (f *Fake) nextFault() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.faults) == 0 {
		return Fault{}, false
	}
	fault := f.faults[0]
	f.faults = f.faults[1:]
	return fault, true
}

func serveFault(w http.ResponseWriter, fault Fault) {
	switch {
	case fault.Drop:
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	case fault.HTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(fault.Status)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(fault.Status) + "</h1></body></html>"))
	case fault.Status == http.StatusTooManyRequests:
		fl := fail(fault.Status, CodeThrottled, "Please wait and consider throttling your request speed")
		fl.retryAfter = fault.RetryAfter
		writeFailure(w, fl)
	default:
		writeFailure(w, fail(fault.Status, CodeInternal, "%s", http.StatusText(fault.Status)))
	}
}

func (f *Fake) authenticate(r *http.Request) *failure {
	h := r.Header.Get("Authorization")
	if h == "" {
		return fail(http.StatusBadRequest, CodeMissingAuth, "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
	}
	got, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || got == "" || strings.ContainsAny(got, " \t") {
		return &failure{status: http.StatusBadRequest, errs: []APIError{{
			Code: CodeInvalidHeaders, Message: "Invalid request headers",
			ErrorChain: []APIError{{Code: CodeBadAuthHeader, Message: "Invalid format for Authorization header"}},
		}}}
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(f.token)) != 1 {
		return fail(http.StatusForbidden, CodeAuthentication, "Authentication error")
	}
	return nil
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

var _ http.Handler = (*Fake)(nil)
