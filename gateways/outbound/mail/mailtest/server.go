package mailtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is a mail the server accepted.
type Message struct {
	ID      string
	From    string
	To      []string
	Subject string
	HTML    string
	Text    string
	At      time.Time
}

// Server is a fake Resend API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give the sender (ResendOptions.BaseURL).
	URL string
	// APIKey is the only key the server accepts.
	APIKey string

	srv *httptest.Server

	mu       sync.Mutex // guards the fields below
	messages []Message
	failNext []int // statuses of the next answers, in order
	failAll  int   // status of every answer when non-zero
}

// NewServer starts a fake Resend accepting apiKey; it stops when the test
// ends.
func NewServer(t testing.TB, apiKey string) *Server {
	t.Helper()
	s := &Server{APIKey: apiKey}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// FailNext makes the next n requests that pass authentication fail with
// status, which is 429 or a 5xx (other statuses are answered with an
// error named after the status).
func (s *Server) FailNext(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, status)
	}
}

// FailAll makes every authenticated request fail with status until
// FailAll(0).
func (s *Server) FailAll(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAll = status
}

// Messages returns the accepted mails, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Last returns the last accepted mail to addr (compared case-insensitively).
func (s *Server) Last(addr string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.messages) - 1; i >= 0; i-- {
		for _, to := range s.messages[i].To {
			if strings.EqualFold(to, addr) {
				return s.messages[i], true
			}
		}
	}
	return Message{}, false
}

// codeLine is a line of a text body that is only a code: six of A–Z, 0–9.
var codeLine = regexp.MustCompile(`(?m)^([A-Z0-9]{6})\r?$`)

// LastCode returns the code in the last mail to addr: the first line of its
// text body that is six upper-case letters or digits (package mail puts the
// code on a line of its own).
func (s *Server) LastCode(addr string) (string, bool) {
	m, ok := s.Last(addr)
	if !ok {
		return "", false
	}
	match := codeLine.FindStringSubmatch(m.Text)
	if match == nil {
		return "", false
	}
	return match[1], true
}

// MustLastCode is LastCode that fails the test when there is no code.
func (s *Server) MustLastCode(t testing.TB, addr string) string {
	t.Helper()
	code, ok := s.LastCode(addr)
	if !ok {
		t.Fatalf("mailtest: no code mailed to %s", addr)
	}
	return code
}

// email is the body of POST /emails, with every field Resend knows, so
// that unknown ones can be refused.
type email struct {
	From        *string          `json:"from"`
	To          json.RawMessage  `json:"to"`
	Subject     *string          `json:"subject"`
	HTML        *string          `json:"html"`
	Text        *string          `json:"text"`
	React       json.RawMessage  `json:"react"`
	CC          json.RawMessage  `json:"cc"`
	BCC         json.RawMessage  `json:"bcc"`
	ReplyTo     json.RawMessage  `json:"reply_to"`
	Headers     map[string]any   `json:"headers"`
	Attachments []map[string]any `json:"attachments"`
	Tags        []map[string]any `json:"tags"`
	ScheduledAt *string          `json:"scheduled_at"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/emails" {
		writeError(w, http.StatusNotFound, "not_found", "The requested endpoint does not exist.")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method is not allowed for the requested path.")
		return
	}
	auth := r.Header.Get("Authorization")
	key, hasBearer := strings.CutPrefix(auth, "Bearer ")
	if auth == "" || !hasBearer || key == "" {
		writeError(w, http.StatusUnauthorized, "missing_api_key", "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY")
		return
	}
	if key != s.APIKey {
		writeError(w, http.StatusForbidden, "invalid_api_key", "API key is invalid")
		return
	}
	if status := s.forcedFailure(); status != 0 {
		writeFailure(w, status)
		return
	}
	var body email
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 40<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "Invalid JSON body: "+err.Error())
		return
	}
	if dec.More() {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "Invalid JSON body: trailing data")
		return
	}
	msg, status, name, problem := validate(body)
	if problem != "" {
		writeError(w, status, name, problem)
		return
	}
	msg.ID = newUUID()
	msg.At = time.Now()
	s.mu.Lock()
	s.messages = append(s.messages, msg)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": msg.ID})
}

// validate checks a body as Resend does and returns the message to record,
// or the status, error name and message to answer.
func validate(b email) (Message, int, string, string) {
	const unprocessable = http.StatusUnprocessableEntity
	switch {
	case b.From == nil:
		return Message{}, unprocessable, "missing_required_field", "Missing `from` field."
	case len(b.To) == 0 || string(b.To) == "null":
		return Message{}, unprocessable, "missing_required_field", "Missing `to` field."
	case b.Subject == nil:
		return Message{}, unprocessable, "missing_required_field", "Missing `subject` field."
	case b.HTML == nil && b.Text == nil && len(b.React) == 0:
		return Message{}, unprocessable, "validation_error", "Missing `html` or `text` field."
	}
	if !validFrom(*b.From) {
		return Message{}, unprocessable, "validation_error", "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."
	}
	to, ok := recipients(b.To)
	if !ok {
		return Message{}, unprocessable, "validation_error", "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."
	}
	if len(to) > 50 {
		return Message{}, unprocessable, "validation_error", "Too many recipients in the `to` field. The maximum is 50."
	}
	m := Message{From: *b.From, To: to, Subject: *b.Subject}
	if b.HTML != nil {
		m.HTML = *b.HTML
	}
	if b.Text != nil {
		m.Text = *b.Text
	}
	return m, 0, "", ""
}

// validFrom accepts "email@example.com" and "Name <email@example.com>".
func validFrom(s string) bool {
	a, err := netmail.ParseAddress(s)
	return err == nil && strings.Contains(a.Address, "@")
}

// recipients reads `to`: one address or an array of addresses.
func recipients(raw json.RawMessage) ([]string, bool) {
	var list []string
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
			return nil, false
		}
	} else {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil, false
		}
		list = []string{one}
	}
	for _, addr := range list {
		a, err := netmail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return nil, false
		}
	}
	return list, true
}

func (s *Server) forcedFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) > 0 {
		status := s.failNext[0]
		s.failNext = s.failNext[1:]
		return status
	}
	return s.failAll
}

func writeFailure(w http.ResponseWriter, status int) {
	switch {
	case status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Ratelimit-Limit", "2")
		w.Header().Set("Ratelimit-Remaining", "0")
		w.Header().Set("Ratelimit-Reset", "1")
		writeError(w, status, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.")
	case status >= 500:
		writeError(w, status, "internal_server_error", "An unexpected error occurred.")
	default:
		writeError(w, status, strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), http.StatusText(status))
	}
}

// writeError answers in Resend's error format.
func writeError(w http.ResponseWriter, status int, name, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
		Name       string `json:"name"`
	}{status, message, name})
}

// newUUID returns a random (version 4) UUID, as Resend's ids are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
