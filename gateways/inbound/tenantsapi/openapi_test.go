package tenantsapi_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
)

// spec is the OpenAPI document the API must follow.
var spec = endpointtest.NewSpec("../../../docs/api/tenants.yaml")

// conforms checks the reply against the OpenAPI document: its status is
// one the operation declares, and its body and headers match the
// declared response. There is no leniency: an answer the document does
// not declare is a gap in the document, and fails.
func (r *reply) conforms(t testing.TB) {
	t.Helper()
	spec.Conforms(t, r.req, r.resp, r.shown())
}

// The document itself is valid OpenAPI 3.1, so that conforming to it
// means something.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	spec.CheckDocument(t)
}
