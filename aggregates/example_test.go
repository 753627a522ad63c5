package aggregates_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
)

// ---- What an aggregate package (say aggregates/wallet) holds. It imports
// only package events and the standard library: events in the past tense,
// the state, a pure Evolve, and one pure Decide per command.

type WalletOpened struct {
	Owner string `json:"owner"`
}

func (WalletOpened) EventType() string { return "wallet.opened" }

type WalletCredited struct {
	Amount int `json:"amount"`
}

func (WalletCredited) EventType() string { return "wallet.credited" }

// Wallet is the state. Its JSON is what snapshots store: bump
// WalletStateVersion when it changes meaning.
type Wallet struct {
	Owner   string `json:"owner"`
	Balance int    `json:"balance"`
}

const WalletStateVersion = 1

var (
	ErrNoWallet     = errors.New("wallet: not opened")
	ErrWalletExists = errors.New("wallet: already opened")
)

func EvolveWallet(w Wallet, rec events.Record) Wallet {
	switch e := rec.Data.(type) {
	case WalletOpened:
		w.Owner = e.Owner
	case WalletCredited:
		w.Balance += e.Amount
	}
	return w
}

type OpenWallet struct{ Owner string }

func (c OpenWallet) Decide(w Wallet) ([]events.Payload, error) {
	if w.Owner != "" {
		return nil, ErrWalletExists
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{WalletOpened{Owner: c.Owner}}, nil
}

type CreditWallet struct{ Amount int }

func (c CreditWallet) Decide(w Wallet) ([]events.Payload, error) {
	if w.Owner == "" {
		return nil, ErrNoWallet
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{WalletCredited{Amount: c.Amount}}, nil
}

// ---- A reservation aggregate (say aggregates/handle): one per handle, so
// that a handle is unique without a database lock.

type HandleClaimed struct {
	Wallet string `json:"wallet"`
}

func (HandleClaimed) EventType() string { return "handle.claimed" }

type Handle struct {
	Wallet string `json:"wallet"`
}

var ErrHandleTaken = errors.New("handle: taken")

func EvolveHandle(h Handle, rec events.Record) Handle {
	if e, ok := rec.Data.(HandleClaimed); ok {
		h.Wallet = e.Wallet
	}
	return h
}

// ---- The service wires them to the runtime.

func exampleStore(ctx context.Context, js jetstream.JetStream) *events.Store {
	catalog := events.NewCatalog()
	events.Register[WalletOpened](catalog, 1)
	events.Register[WalletCredited](catalog, 1)
	events.Register[HandleClaimed](catalog, 1)
	store, err := events.Open(ctx, js, catalog, events.StreamConfig{})
	if err != nil {
		panic(err)
	}
	return store
}

func newWallets(store *events.Store) *aggregates.Repository[Wallet] {
	// A real service passes its Postgres pool, so that long aggregates
	// load from a snapshot; nil disables snapshots.
	wallets, err := aggregates.NewRepository(store, nil, aggregates.Kind[Wallet]{
		Type:          "wallet",
		Evolve:        EvolveWallet,
		StateVersion:  WalletStateVersion,
		SnapshotEvery: 100,
	})
	if err != nil {
		panic(err)
	}
	return wallets
}

// A command on one aggregate: load, decide, append, retried on conflict.
func Example() {
	js, stop := exampleNATS()
	defer stop()
	ctx := context.Background()
	wallets := newWallets(exampleStore(ctx, js))

	if _, err := wallets.Execute(ctx, "w1", events.Meta{Actor: "user:alice"}, OpenWallet{Owner: "alice"}.Decide); err != nil {
		panic(err)
	}
	res, err := wallets.Execute(ctx, "w1", events.Meta{Actor: "user:alice"}, CreditWallet{Amount: 5}.Decide)
	if err != nil {
		panic(err)
	}
	_, err = wallets.Execute(ctx, "w2", events.Meta{}, CreditWallet{Amount: 5}.Decide)
	fmt.Println("credit w2:", errors.Is(err, ErrNoWallet))

	w, err := wallets.Load(ctx, "w1")
	if err != nil {
		panic(err)
	}
	fmt.Printf("w1: %+v at version %d (%d events); command's last event at %d\n", w.State, w.Version, w.Events, res.Last)
	// Output:
	// credit w2: true
	// w1: {Owner:alice Balance:5} at version 2 (2 events); command's last event at 2
}

// A command on two aggregates: a wallet opened under a unique handle. The
// wallet's event and the handle's claim are appended atomically; if the
// handle was claimed meanwhile, the retry sees it and decides ErrHandleTaken.
func ExampleExecute() {
	js, stop := exampleNATS()
	defer stop()
	ctx := context.Background()
	store := exampleStore(ctx, js)
	wallets := newWallets(store)
	handles, err := aggregates.NewRepository(store, nil, aggregates.Kind[Handle]{Type: "handle", Evolve: EvolveHandle, StateVersion: 1})
	if err != nil {
		panic(err)
	}

	openWithHandle := func(walletID, handle string) error {
		_, err := aggregates.Execute(ctx, store, events.Meta{}, func(ctx context.Context, tx *aggregates.Tx) error {
			w, err := aggregates.Get(ctx, tx, wallets, walletID)
			if err != nil {
				return err
			}
			h, err := aggregates.Get(ctx, tx, handles, handle)
			if err != nil {
				return err
			}
			if h.Wallet != "" {
				return fmt.Errorf("open %s as @%s: %w", walletID, handle, ErrHandleTaken)
			}
			opened, err := OpenWallet{Owner: handle}.Decide(w)
			if err != nil {
				return err
			}
			tx.Emit(events.MustRef("wallet", walletID), opened...)
			tx.Emit(events.MustRef("handle", handle), HandleClaimed{Wallet: walletID})
			return nil
		})
		return err
	}

	fmt.Println(openWithHandle("w1", "alice"))
	fmt.Println(openWithHandle("w2", "alice"))
	h, _ := handles.Load(ctx, "alice")
	w2, _ := wallets.Load(ctx, "w2")
	fmt.Printf("@alice is %s; w2 has %d events\n", h.State.Wallet, w2.Events)
	// Output:
	// <nil>
	// open w2 as @alice: handle: taken
	// @alice is w1; w2 has 0 events
}

// exampleNATS starts an in-process JetStream server; tests use
// testenv.StartNATS instead.
func exampleNATS() (jetstream.JetStream, func()) {
	dir, err := os.MkdirTemp("", "aggregates-example-")
	if err != nil {
		panic(err)
	}
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		panic("nats server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		panic(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		panic(err)
	}
	return js, func() {
		nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
		_ = os.RemoveAll(dir)
	}
}
