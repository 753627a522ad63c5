package ddnsapi_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
)

// specPath is the OpenAPI document the API must follow.
const specPath = "../../docs/api/ddns.yaml"

var spec struct {
	once sync.Once
	mu   sync.Mutex // the validator's caches are not documented as concurrent-safe
	v    validator.Validator
	err  error
}

func specValidator(t testing.TB) validator.Validator {
	t.Helper()
	spec.once.Do(func() {
		raw, err := os.ReadFile(specPath)
		if err != nil {
			spec.err = err
			return
		}
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			spec.err = err
			return
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
		if len(errs) > 0 {
			spec.err = errs[0]
			return
		}
		spec.v = v
	})
	if spec.err != nil {
		t.Fatalf("OpenAPI document %s: %v", specPath, spec.err)
	}
	return spec.v
}

// conforms checks the reply against the OpenAPI document: its status is
// one the operation declares, and its body and headers match the declared
// response. Answers to routes the document does not have (404, 405) are
// left out: they are the same JSON error on every service.
func (r *reply) conforms(t testing.TB) {
	t.Helper()
	if r.status == 404 || r.status == 405 {
		return
	}
	v := specValidator(t)
	spec.mu.Lock()
	ok, errs := v.ValidateHttpResponse(r.req, r.resp)
	spec.mu.Unlock()
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
		r.req.Method, r.req.URL.Path, r.status, r.shown(), specPath, strings.Join(msgs, "\n  "))
}

// The document itself is valid OpenAPI 3.1, so that conforming to it
// means something.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	v := specValidator(t)
	spec.mu.Lock()
	ok, errs := v.ValidateDocument()
	spec.mu.Unlock()
	if !ok {
		for _, e := range errs {
			t.Errorf("%s: %s", e.Message, e.Reason)
		}
	}
}
