package udpport_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
)

// Every event goes through the catalogue's codec unchanged, under its
// ce-type and with its JSON fields.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.CheckCatalog(t, udpport.Register, []aggregatetest.EventCase{
		{Event: allocated(alice, 51820), Type: "wardnet.udpport.allocated", JSON: `{"network_id":"` + alice + `","port":51820}`},
		{
			Event: released(alice, 51820, udpport.ReasonDeprovisioned), Type: "wardnet.udpport.released",
			JSON: `{"network_id":"` + alice + `","port":51820,"reason":"deprovisioned"}`,
		},
	})
}
