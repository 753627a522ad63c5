package daemon_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	t0           = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tenantA      = ids.TenantID("0b7f4c1e-3c1a-4d55-9a8e-1f2b3c4d5e6f")
	tenantB      = ids.TenantID("1c8a5d2f-4d2b-4e66-8b9f-2a3c4d5e6f70")
	registration = ids.RegistrationID("6a1c0e2d-8b3f-4e7a-9c5d-2e4f6a8b0c1d")
	net1         = ids.NetworkID("3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b")
	net2         = ids.NetworkID("4a2f3e5d-6c7b-4a89-9bac-1d2e3f4a5b6c")
	key          = aggregatetest.DaemonKey(1)
	otherKey     = aggregatetest.DaemonKey(2)
)

func enrolled(tenant ids.TenantID, at time.Time) daemon.Enrolled {
	return daemon.Enrolled{TenantID: tenant, PublicKey: key, ExpiresAt: at.Add(daemon.EnrollmentTTL)}
}

func registeredIn(network ids.NetworkID) daemon.Registered {
	return daemon.Registered{RegistrationID: registration, TenantID: tenantA, NetworkID: network}
}

type decideCase = aggregatetest.DecideCase[daemon.State]

// fold evolves the initial state through evs, one second apart from t0.
func fold(evs ...events.Payload) daemon.State {
	return aggregatetest.FoldAt(daemon.Initial(), daemon.Evolve, aggregatetest.Every(t0, time.Second, evs...)...)
}
