package ddnsapi_test

import (
	"errors"
	"os"
	"regexp"
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

// dynPattern is the pattern of DynReturnCodes, the body of a dyndns2
// answer: the validator does not check text/plain bodies, so wantText
// does, against the document.
var dynPattern = sync.OnceValues(func() (*regexp.Regexp, error) {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, err
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	proxy, ok := m.Model.Components.Schemas.Get("DynReturnCodes")
	if !ok {
		return nil, errors.New("no schema DynReturnCodes")
	}
	return regexp.Compile(proxy.Schema().Pattern)
})

// conformsText checks a dyndns2 answer's body against DynReturnCodes.
func (r *reply) conformsText(t testing.TB) {
	t.Helper()
	re, err := dynPattern()
	if err != nil {
		t.Fatalf("DynReturnCodes of %s: %v", specPath, err)
	}
	if r.status == 200 && !re.Match(r.body) {
		t.Errorf("dyndns2 answer %q does not match DynReturnCodes of %s", r.body, specPath)
	}
}
