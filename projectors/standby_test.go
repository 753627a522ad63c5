package projectors_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// Two instances of one projector: only the pinned one applies. When it
// stops (cleanly, or killed between a commit and its ack) while events keep
// coming, the standby takes over with no gap and no double application.
func TestStandbyTakesOver(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"stopped", "killed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			testTakeover(t, mode == "killed")
		})
	}
}

func testTakeover(t *testing.T, kill bool) {
	e := newEnv(t)
	ctx := ctxT(t)

	var (
		killNow          atomic.Bool
		before, killedAt events.StreamSeq // A's checkpoints before and at the kill
		previous         events.StreamSeq
	)
	oa := e.opts(t)
	projectors.CrashAfterCommit(&oa, func(cp events.StreamSeq) bool {
		defer func() { previous = cp }()
		if killNow.Load() {
			before, killedAt = previous, cp
			return true
		}
		return false
	})
	a := e.projector(t, newLedger("ledger"), oa)
	aCtx, stopA := context.WithCancel(context.Background())
	defer stopA()
	aDone := make(chan error, 1)
	go func() { aDone <- a.Run(aCtx) }()
	first := e.deposit(t, 1, "t1")
	waitCheckpoint(t, e.db, "ledger", first) // a holds the pin

	b := e.projector(t, newLedger("ledger"), e.opts(t))
	stopB := run(t, b)
	cons, err := e.nats.JS.Consumer(ctx, events.StreamName, projectors.ConsumerName("ledger"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, time.Minute, func() error {
		info, err := cons.Info(ctx)
		if err != nil || info.NumWaiting < 2 {
			return fmt.Errorf("not both instances pulling: %v, %+v", err, info)
		}
		return nil
	})

	phase1 := e.deposit(t, 2000, "t1")
	waitCheckpoint(t, e.db, "ledger", phase1)
	if s := b.Stats(); s.Applied != 0 || s.Skipped != 0 {
		t.Fatalf("standby applied %d and skipped %d while the active instance ran", s.Applied, s.Skipped)
	}

	// Keep appending while the active instance goes away.
	const more = 3000
	var wg sync.WaitGroup
	var last events.StreamSeq
	wg.Go(func() {
		for range more / 100 {
			last = e.deposit(t, 100, "t1")
		}
	})
	waitCheckpoint(t, e.db, "ledger", phase1+300)
	if kill {
		killNow.Store(true)
	} else {
		stopA()
	}
	if err := <-aDone; kill && !errors.Is(err, projectors.ErrTestCrash) || !kill && err != nil {
		t.Fatalf("active instance ended with %v", err)
	}
	wg.Wait()
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stopB(); err != nil {
		t.Fatal(err)
	}

	total := 1 + 2000 + more
	exactlyOnce(t, e.db, "ledger", total)
	sa, sb := a.Stats(), b.Stats()
	if sb.Applied == 0 || sa.Applied+sb.Applied != uint64(total) {
		t.Errorf("applied: active %d, standby %d; want the standby to apply the rest of %d", sa.Applied, sb.Applied, total)
	}
	if kill && sb.Skipped != uint64(killedAt-before) {
		t.Errorf("standby skipped %d, want the %d events committed before the kill and not acknowledged", sb.Skipped, killedAt-before)
	}
}
