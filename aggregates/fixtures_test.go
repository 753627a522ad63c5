package aggregates_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Test aggregates: a tiny ledger with accounts and name reservations.

type opened struct {
	Owner string `json:"owner"`
}

func (opened) EventType() string { return "test.account.opened" }

type deposited struct {
	Amount int `json:"amount"`
}

func (deposited) EventType() string { return "test.account.deposited" }

type nameClaimed struct {
	Account string `json:"account"`
}

func (nameClaimed) EventType() string { return "test.name.claimed" }

type account struct {
	Open    bool   `json:"open"`
	Owner   string `json:"owner"`
	Balance int    `json:"balance"`
	History []int  `json:"history"`
}

func evolveAccount(s account, r events.Record) account {
	switch e := r.Data.(type) {
	case opened:
		s.Open, s.Owner = true, e.Owner
	case deposited:
		s.Balance += e.Amount
		s.History = append(s.History, e.Amount)
	}
	return s
}

type name struct {
	Account string `json:"account"`
}

func evolveName(s name, r events.Record) name {
	if e, ok := r.Data.(nameClaimed); ok {
		s.Account = e.Account
	}
	return s
}

var (
	accountKind = aggregates.Kind[account]{Type: "account", Evolve: evolveAccount, StateVersion: 1}
	nameKind    = aggregates.Kind[name]{Type: "name", Evolve: evolveName, StateVersion: 1}
)

var (
	errNotOpen     = errors.New("account is not open")
	errAlreadyOpen = errors.New("account is already open")
	errNameTaken   = errors.New("name is taken")
)

// deposit decides a deposit, split over `parts` events.
func deposit(amount, parts int) func(account) ([]events.Payload, error) {
	return func(s account) ([]events.Payload, error) {
		if !s.Open {
			return nil, errNotOpen
		}
		out := make([]events.Payload, parts)
		for i := range out {
			out[i] = deposited{Amount: amount / parts}
		}
		return out, nil
	}
}

func open(owner string) func(account) ([]events.Payload, error) {
	return func(s account) ([]events.Payload, error) {
		if s.Open {
			return nil, errAlreadyOpen
		}
		return []events.Payload{opened{Owner: owner}}, nil
	}
}

// openWithName opens account id and claims its name in one command.
func openWithName(accounts *aggregates.Repository[account], names *aggregates.Repository[name], id, nm string) func(context.Context, *aggregates.Tx) error {
	return func(ctx context.Context, tx *aggregates.Tx) error {
		a, err := aggregates.Get(ctx, tx, accounts, id)
		if err != nil {
			return err
		}
		n, err := aggregates.Get(ctx, tx, names, nm)
		if err != nil {
			return err
		}
		if a.Open {
			return errAlreadyOpen
		}
		if n.Account != "" {
			return fmt.Errorf("open %s as %s: %w", id, nm, errNameTaken)
		}
		tx.Emit(events.MustRef("account", id), opened{Owner: nm})
		tx.Emit(events.MustRef("name", nm), nameClaimed{Account: id})
		return nil
	}
}

func catalog() *events.Catalog {
	c := events.NewCatalog()
	events.Register[opened](c, 1)
	events.Register[deposited](c, 1)
	events.Register[nameClaimed](c, 1)
	return c
}

// env is one test's NATS server and database.
type env struct {
	nats  *testenv.NATS
	db    *testenv.DB
	store *events.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	n := testenv.StartNATS(t)
	return &env{nats: n, db: testenv.Postgres(t), store: n.Store(t, catalog())}
}

// replica is another service instance: its own store over the same stream.
func (e *env) replica(t *testing.T) *events.Store { return e.nats.Store(t, catalog()) }

func newRepo[S any](t *testing.T, store *events.Store, e *env, kind aggregates.Kind[S], opts ...aggregates.Option) *aggregates.Repository[S] {
	t.Helper()
	r, err := aggregates.NewRepository(store, e.db.Pool, kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustExec(t)(Execute(…)) fails the test when the command fails.
func mustExec(t *testing.T) func(aggregates.Result, error) aggregates.Result {
	t.Helper()
	return func(res aggregates.Result, err error) aggregates.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
}

// fullFold folds every event of ref from the log, without the runtime.
func fullFold[S any](t *testing.T, store *events.Store, kind aggregates.Kind[S], id string) aggregates.Loaded[S] {
	t.Helper()
	var out aggregates.Loaded[S]
	if kind.Initial != nil {
		out.State = kind.Initial()
	}
	for rec, err := range store.Load(ctxT(t), events.MustRef(kind.Type, id), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out.State = kind.Evolve(out.State, rec)
		out.Version = rec.Seq
		out.Events++
	}
	return out
}

func records(t *testing.T, store *events.Store, ref events.Ref) []events.Record {
	t.Helper()
	var out []events.Record
	for rec, err := range store.Load(ctxT(t), ref, 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}
