package projectors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nats-io/nats.go"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// depositedV2 is deposited as a newer build writes it.
type depositedV2 struct {
	Cents int `json:"cents"`
}

func (depositedV2) EventType() string { return "test.account.deposited" }

// An event the projector cannot apply is neither skipped nor retried
// forever: the events before it are committed, the projector stops with a
// *HaltError naming it, and the stop shows in readiness, the metric and
// Status. A build that can apply it resumes there.
func TestHaltsAtAnEventItCannotApply(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		batch bool                       // use the ledger's ApplyBatch
		bad   func(t *testing.T, e *env) // appends the bad event
		cause func(error) bool
		fixed projectors.Projection // a build that can apply it, if any
	}{{
		name: "schema version newer than this build",
		bad: func(t *testing.T, e *env) {
			c := events.NewCatalog()
			events.Register[depositedV2](c, 2, func(old json.RawMessage) (json.RawMessage, error) { return old, nil })
			newer := events.NewStore(e.nats.JS, c)
			if _, err := newer.Append(ctxT(t), events.Meta{TenantID: "t1"}, events.Change{
				Aggregate: events.MustRef("account", "newer"), Expect: events.AnyVersion(),
				Events: []events.Payload{depositedV2{Cents: 100}}}); err != nil {
				t.Fatal(err)
			}
		},
		cause: func(err error) bool { return errors.Is(err, events.ErrFutureVersion) },
	}, {
		name: "malformed envelope",
		bad: func(t *testing.T, e *env) {
			if _, err := e.nats.JS.PublishMsg(ctxT(t), &nats.Msg{Subject: "wardnet.ev.account.raw", Data: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		},
		cause: func(err error) bool { return errors.Is(err, projectors.ErrMalformed) },
	}, {
		name: "rejected by the projection",
		bad: func(t *testing.T, e *env) {
			e.appendPayloads(t, "t1", "account", []events.Payload{deposited{Amount: -1}})
		},
		cause: func(err error) bool { return errors.Is(err, projectors.ErrPoison) },
	}, {
		name:  "constraint violation in a batch",
		batch: true,
		bad: func(t *testing.T, e *env) {
			e.appendPayloads(t, "t1", "account", []events.Payload{deposited{Amount: 5_000_000}})
		},
		cause: func(err error) bool {
			var pg *pgconn.PgError
			return errors.As(err, &pg) && pg.Code == "23514"
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := ctxT(t)
			e.deposit(t, 5, "t1")
			tc.bad(t, e)
			last := e.deposit(t, 5, "t1")

			var proj projectors.Projection = newLedger("ledger")
			if tc.batch {
				proj = batchLedger{newLedger("ledger")}
			}
			p := e.projector(t, proj, e.opts(t))
			err := p.Run(ctx)
			var he *projectors.HaltError
			if !errors.As(err, &he) || !errors.Is(err, projectors.ErrHalted) || !tc.cause(err) {
				t.Fatalf("Run returned %v, want a halt with the cause", err)
			}
			if he.Seq != 6 || he.Projection != "ledger" {
				t.Errorf("halted at %s seq %d, want ledger seq 6", he.Projection, he.Seq)
			}
			if cp := checkpoint(t, e.db, "ledger"); cp != 5 {
				t.Errorf("checkpoint %d, want the 5 events before the bad one", cp)
			}
			exactlyOnce(t, e.db, "ledger", 5)
			if err := p.Ready(1000)(ctx); !errors.Is(err, projectors.ErrHalted) {
				t.Errorf("readiness: %v, want halted", err)
			}
			if g := gauge(t, e.reg, "wardnet_projector_halted", "ledger"); g != 1 {
				t.Errorf("halted gauge %v", g)
			}
			if st := ledgerState(t, e); st.HaltedSeq != 6 || st.HaltReason == "" || st.Lag != uint64(last-5) {
				t.Errorf("status %+v, want halted at 6 with lag %d", st, last-5)
			}
			// Restarting the same build stops at the same event again.
			if err := e.projector(t, proj, e.opts(t)).Run(ctx); !errors.Is(err, projectors.ErrHalted) {
				t.Errorf("second run: %v", err)
			}
			exactlyOnce(t, e.db, "ledger", 5)
		})
	}
}

// A newer build resumes at the event an older one halted at: it was not
// skipped.
func TestNewerBuildResumesAfterHalt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	e.deposit(t, 5, "t1")
	c := events.NewCatalog()
	events.Register[depositedV2](c, 2, func(old json.RawMessage) (json.RawMessage, error) { return old, nil })
	events.Register[noted](c, 1)
	newer := events.NewStore(e.nats.JS, c)
	if _, err := newer.Append(ctx, events.Meta{}, events.Change{Aggregate: events.MustRef("account", "newer"),
		Expect: events.AnyVersion(), Events: []events.Payload{depositedV2{Cents: 100}}}); err != nil {
		t.Fatal(err)
	}
	last := e.deposit(t, 5, "t1")
	if err := e.projector(t, newLedger("ledger"), e.opts(t)).Run(ctx); !errors.Is(err, projectors.ErrHalted) {
		t.Fatalf("old build: %v", err)
	}

	p, err := projectors.New(e.db.Pool, newer, countAll{newLedger("ledger")}, e.opts(t))
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", 11)
	if st := ledgerState(t, e); st.HaltedSeq != 0 || st.HaltReason != "" {
		t.Errorf("halt still recorded after resuming: %+v", st)
	}
}

// countAll is the ledger of a newer build, which also records v2 deposits.
type countAll struct{ *ledger }

func (l countAll) Apply(ctx context.Context, tx pgx.Tx, r events.Record) error {
	if _, ok := r.Data.(depositedV2); ok {
		r.Data = deposited{Amount: 1}
	}
	return l.ledger.Apply(ctx, tx, r)
}

// Serve keeps a halted projector's service up: it does not return on the
// halt, readiness reports it, and it returns nil when its context ends.
func TestServeStaysUpWhenHalted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.deposit(t, 2, "t1")
	e.appendPayloads(t, "t1", "account", []events.Payload{deposited{Amount: -1}})
	p := e.projector(t, newLedger("ledger"), e.opts(t))
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx) }()
	testenv.Eventually(t, time.Minute, func() error {
		if err := p.Ready(1000)(ctx); !errors.Is(err, projectors.ErrHalted) {
			return fmt.Errorf("not halted: readiness %v", err)
		}
		return nil
	})
	select {
	case err := <-done:
		t.Fatalf("Serve returned on a halt: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
}
