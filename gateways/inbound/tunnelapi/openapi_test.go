package tunnelapi_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
)

// specPath is the OpenAPI document the API must follow.
const specPath = "../../../docs/api/tunneller.yaml"

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
