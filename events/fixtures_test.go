package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Test payloads: a tiny ledger.
type accountOpened struct {
	Owner string `json:"owner"`
}

func (accountOpened) EventType() string { return "test.account.opened" }

type deposited struct {
	Amount int `json:"amount"`
}

func (deposited) EventType() string { return "test.account.deposited" }

type nameClaimed struct {
	Account string `json:"account"`
}

func (nameClaimed) EventType() string { return "test.name.claimed" }

func catalog() *events.Catalog {
	c := events.NewCatalog()
	events.Register[accountOpened](c, 1)
	events.Register[deposited](c, 1)
	events.Register[nameClaimed](c, 1)
	return c
}

func newStore(t *testing.T) (*events.Store, *testenv.NATS) {
	t.Helper()
	n := testenv.StartNATS(t)
	return n.Store(t, catalog()), n
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func account(id string) events.Ref { return events.MustRef("account", id) }

func load(t *testing.T, s *events.Store, ref events.Ref) []events.Record {
	t.Helper()
	var out []events.Record
	for rec, err := range s.Load(ctxT(t), ref, 0) {
		if err != nil {
			t.Fatalf("load %s: %v", ref, err)
		}
		out = append(out, rec)
	}
	return out
}

func newNATS(t *testing.T) *testenv.NATS { return testenv.StartNATS(t) }
