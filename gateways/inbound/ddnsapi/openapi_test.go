package ddnsapi_test

import (
	"errors"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"

	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
)

// specPath is the OpenAPI document the API must follow.
const specPath = "../../../docs/api/ddns.yaml"

var spec = endpointtest.NewSpec(specPath)

// conforms checks the reply against the OpenAPI document: its status is
// one the operation declares, and its body and headers match the declared
// response. Answers to routes the document does not have (404, 405) are
// left out: they are the same JSON error on every service.
func (r *reply) conforms(t testing.TB) {
	t.Helper()
	if r.status == 404 || r.status == 405 {
		return
	}
	spec.Conforms(t, r.req, r.resp, r.shown())
}

// The document itself is valid OpenAPI 3.1, so that conforming to it
// means something.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	spec.CheckDocument(t)
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
