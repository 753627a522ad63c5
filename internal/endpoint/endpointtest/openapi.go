package endpointtest

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
)

// Spec is an OpenAPI document and its validator, with string formats
// asserted. The document is read and the validator built once, on first
// use; a Spec is safe for parallel tests.
type Spec struct {
	path string
	once sync.Once
	mu   sync.Mutex // the validator's caches are not documented as concurrent-safe
	v    validator.Validator
	err  error
}

// NewSpec returns the Spec of the document at path, which is read on first
// use.
func NewSpec(path string) *Spec { return &Spec{path: path} }

// validator is the document's validator; it fails t if the document does
// not load.
func (s *Spec) validator(t testing.TB) validator.Validator {
	t.Helper()
	s.once.Do(func() {
		raw, err := os.ReadFile(s.path)
		if err != nil {
			s.err = err
			return
		}
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			s.err = err
			return
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
		if len(errs) > 0 {
			s.err = errs[0]
			return
		}
		s.v = v
	})
	if s.err != nil {
		t.Fatalf("OpenAPI document %s: %v", s.path, s.err)
	}
	return s.v
}

// Conforms checks resp, the answer to req, against the document: its
// status is one the operation declares, and its body and headers match the
// declared response. It reads both bodies, which must be readable again
// from the start. A mismatch is a test error naming the request, the
// status, shown (the body as the caller shows it: it may withhold a
// secret) and every way the answer differs.
func (s *Spec) Conforms(t testing.TB, req *http.Request, resp *http.Response, shown string) {
	t.Helper()
	v := s.validator(t)
	s.mu.Lock()
	ok, errs := v.ValidateHttpResponse(req, resp)
	s.mu.Unlock()
	if ok {
		return
	}
	var msgs []string
	for _, e := range errs {
		m := e.Message
		if e.Reason != "" {
			m += ": " + e.Reason
		}
		for _, se := range e.SchemaValidationErrors {
			m += "; " + se.FieldPath + ": " + se.Reason
		}
		msgs = append(msgs, m)
	}
	t.Errorf("%s %s → %d %s does not conform to %s:\n  %s",
		req.Method, req.URL.Path, resp.StatusCode, shown, s.path, strings.Join(msgs, "\n  "))
}

// CheckDocument reports a test error for every way the document is not
// valid OpenAPI 3.1, so that conforming to it means something.
func (s *Spec) CheckDocument(t testing.TB) {
	t.Helper()
	v := s.validator(t)
	s.mu.Lock()
	ok, errs := v.ValidateDocument()
	s.mu.Unlock()
	if !ok {
		for _, e := range errs {
			t.Errorf("%s: %s", e.Message, e.Reason)
		}
	}
}
