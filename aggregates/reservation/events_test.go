package reservation_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.CheckCatalog(t, reservation.Register, []aggregatetest.EventCase{
		{Event: reservation.Claimed{Owner: alice}, Type: "wardnet.reservation.claimed", JSON: `{"owner":"` + string(alice) + `"}`},
		{Event: reservation.Released{Owner: alice}, Type: "wardnet.reservation.released", JSON: `{"owner":"` + string(alice) + `"}`},
	})
}
