package projectors_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// A projector killed between its commit and its ack, then restarted, applies
// each of 10 000 events exactly once: the restarted one is redelivered the
// batch that was committed but not acknowledged, and skips all of it.
func TestExactlyOnceAcrossCrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const total = 10_000
	last := e.deposit(t, total, "t1")

	var (
		crashed       atomic.Bool
		before, crash events.StreamSeq // checkpoints before and at the crash
		previous      events.StreamSeq
	)
	o := e.opts(t)
	projectors.CrashAfterCommit(&o, func(cp events.StreamSeq) bool {
		defer func() { previous = cp }()
		if cp >= total/2 && crashed.CompareAndSwap(false, true) {
			before, crash = previous, cp
			return true
		}
		return false
	})
	first := e.projector(t, newLedger("ledger"), o)
	if err := first.Run(context.Background()); !errors.Is(err, projectors.ErrTestCrash) {
		t.Fatalf("first run: %v, want the test crash", err)
	}
	if got := checkpoint(t, e.db, "ledger"); got != crash || crash == last {
		t.Fatalf("checkpoint after the crash = %d, want %d (< %d)", got, crash, last)
	}
	if crash <= before {
		t.Fatalf("crashed batch is empty: %d..%d", before, crash)
	}

	second := e.projector(t, newLedger("ledger"), e.opts(t))
	stop := run(t, second)
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	exactlyOnce(t, e.db, "ledger", total)
	f, s := first.Stats(), second.Stats()
	if f.Applied+s.Applied != total {
		t.Errorf("applied %d + %d, want %d", f.Applied, s.Applied, total)
	}
	// Everything the crashed batch committed came back and was skipped.
	if want := uint64(crash - before); s.Skipped != want {
		t.Errorf("restarted projector skipped %d, want the %d committed but unacknowledged events", s.Skipped, want)
	}
}

// A NATS server restart in the middle of a catch-up loses deliveries in
// flight; the projector notices the gap in delivery sequences, resets, and
// still applies every event once.
func TestExactlyOnceAcrossNATSRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const total = 6000
	last := e.deposit(t, total, "t1")

	// The projector's own connection survives the restart by reconnecting.
	nc, err := nats.Connect(e.nats.URL, nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	o := e.opts(t)
	o.MaxBatch = 100
	p, err := projectors.New(e.db.Pool, events.NewStore(js, catalog()), newLedger("ledger"), o)
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	waitCheckpoint(t, e.db, "ledger", 1000)
	e.nats.Restart(t)
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", total)
}

// Deliveries this instance never saw (here: taken by another client while
// the pin was elsewhere, and never acknowledged) come back only after
// AckWait, behind newer ones. The projector notices the gap in delivery
// sequences and resets the consumer instead of applying out of order, which
// would let the skip rule drop the older events for good.
func TestDeliveryGapForcesReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	last := e.deposit(t, 100, "t1")
	o := e.opts(t)
	o.MaxBatch = 10
	o.AckWait = time.Minute // a lost event would stay lost for the whole test
	hold, release := make(chan struct{}), make(chan struct{})
	var held atomic.Bool
	projectors.AfterCommit(&o, func(events.StreamSeq) {
		if held.CompareAndSwap(false, true) {
			close(hold)
			<-release
		}
	})
	p := e.projector(t, newLedger("ledger"), o)
	stop := run(t, p)
	<-hold // p has committed its first batch and stopped pulling

	st, err := e.nats.JS.Stream(ctx, events.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	name := projectors.ConsumerName("ledger")
	if err := st.UnpinConsumer(ctx, name, "active"); err != nil {
		t.Fatal(err)
	}
	cons, err := st.Consumer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(5, jetstream.FetchPriorityGroup("active"), jetstream.FetchMaxWait(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for range batch.Messages() {
		taken++ // and never acknowledged
	}
	if taken != 5 {
		t.Fatalf("the other client got %d deliveries (%v), want 5", taken, batch.Error())
	}
	if err := st.UnpinConsumer(ctx, name, "active"); err != nil {
		t.Fatal(err)
	}
	close(release)

	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", 100)
	if r := p.Stats().Resets; r < 2 {
		t.Errorf("%d consumer resets, want the first one and one for the gap", r)
	}
}
