package network_test

import (
	"crypto/ed25519"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tenant  = naming.ID("0b7f4c1e-3c1a-4d55-9a8e-1f2b3c4d5e6f")
	daemon1 = naming.ID("6a1c0e2d-8b3f-4e7a-9c5d-2e4f6a8b0c1d")
	daemon2 = naming.ID("7b2d1f3e-9c4a-4f8b-8d6e-3f5a7b9c1d2e")
	key1    = testKey(1)
	key2    = testKey(2)
)

func testKey(seed byte) naming.DaemonKey {
	seedBytes := make([]byte, ed25519.SeedSize)
	seedBytes[0] = seed
	priv := ed25519.NewKeyFromSeed(seedBytes)
	k, err := naming.DaemonKeyOf(priv.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return k
}

var registered = network.Registered{
	TenantID: tenant, Slug: "home-lab", DisplayName: "Home lab", Region: "local",
	DaemonID: daemon1, DaemonKey: key1,
}

// fold evolves the initial state through evs, one minute apart from t0.
func fold(evs ...events.Payload) network.State {
	s := network.Initial()
	for i, e := range evs {
		s = network.Evolve(s, events.Record{
			Envelope: events.Envelope{Time: t0.Add(time.Duration(i) * time.Minute)},
			Seq:      events.StreamSeq(i + 1),
			Data:     e,
		})
	}
	return s
}

// errAny stands for an error the caller is not meant to branch on.
var errAny = errors.New("any error")

type decideCase struct {
	name   string
	given  []events.Payload
	decide func(network.State) ([]events.Payload, error)
	want   []events.Payload
	err    error
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.decide(fold(tc.given...))
			switch {
			case tc.err == errAny && err == nil:
				t.Fatalf("got %v, want an error", got)
			case tc.err != nil && tc.err != errAny && !errors.Is(err, tc.err):
				t.Fatalf("err = %v, want %v", err, tc.err)
			case tc.err == nil && err != nil:
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events = %#v, want %#v", got, tc.want)
			}
		})
	}
}
