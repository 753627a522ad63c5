package network_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tenant  = ids.TenantID("0b7f4c1e-3c1a-4d55-9a8e-1f2b3c4d5e6f")
	daemon1 = ids.RegistrationID("6a1c0e2d-8b3f-4e7a-9c5d-2e4f6a8b0c1d")
	daemon2 = ids.RegistrationID("7b2d1f3e-9c4a-4f8b-8d6e-3f5a7b9c1d2e")
	key1    = aggregatetest.DaemonKey(1)
	key2    = aggregatetest.DaemonKey(2)
	cred1   = ids.CredentialID("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")
	cred2   = ids.CredentialID("2d3e4f5a-6b7c-4d8e-9fa0-1b2c3d4e5f6a")
)

// hash stands for an argon2id PHC string: the aggregate only checks its
// prefix.
const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"

// issued is the event of a credential with the test hash.
func issued(id ids.CredentialID, kind network.CredentialKind, username string) network.UpdateCredentialIssued {
	return network.UpdateCredentialIssued{CredentialID: id, Kind: kind, Username: username, SecretHash: hash}
}

var registered = network.Registered{
	TenantID: tenant, Slug: "home-lab", DisplayName: "Home lab", Region: "local",
	RegistrationID: daemon1, DaemonKey: key1,
}

type decideCase = aggregatetest.DecideCase[network.State]

// fold evolves the initial state through evs, one minute apart from t0.
func fold(evs ...events.Payload) network.State {
	return aggregatetest.FoldAt(network.Initial(), network.Evolve, aggregatetest.Every(t0, time.Minute, evs...)...)
}
