package projectors_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// Lag counts the events not yet applied, fails readiness above its bound,
// and shows in Status and the metric.
func TestLagAndReadiness(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	o := e.opts(t)
	o.MaxBatch = 10
	held, release := make(chan events.StreamSeq, 1), make(chan struct{})
	var once atomic.Bool
	projectors.AfterCommit(&o, func(cp events.StreamSeq) {
		if once.CompareAndSwap(false, true) {
			held <- cp // hold after the first batch
			<-release
		}
	})
	p := e.projector(t, newLedger("ledger"), o)
	if err := p.Ready(1000)(ctx); !errors.Is(err, projectors.ErrNotRunning) {
		t.Fatalf("readiness before Run: %v", err)
	}
	last := e.deposit(t, 100, "t1")
	stop := run(t, p)
	cp := <-held
	behind := uint64(last - cp)

	if n, err := p.Lag(ctx); err != nil || n != behind {
		t.Fatalf("lag %d (%v), want %d", n, err, behind)
	}
	if err := p.Ready(behind - 1)(ctx); !errors.Is(err, projectors.ErrLagging) {
		t.Errorf("readiness %d behind with bound %d: %v", behind, behind-1, err)
	}
	if err := p.Ready(behind)(ctx); err != nil {
		t.Errorf("readiness %d behind with bound %d: %v", behind, behind, err)
	}
	if st := ledgerState(t, e); st.Checkpoint != cp || st.StreamLast != last || st.Lag != behind || st.AppliedAt.IsZero() {
		t.Errorf("status while held: %+v", st)
	}
	testenv.Eventually(t, time.Minute, func() error {
		if lag := gauge(t, e.reg, "wardnet_projector_lag_events", "ledger"); lag != float64(behind) {
			return fmt.Errorf("lag metric %v, want %d", lag, behind)
		}
		return nil
	})

	close(release)
	waitCheckpoint(t, e.db, "ledger", last)
	if err := p.Ready(0)(ctx); err != nil {
		t.Errorf("readiness caught up: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.Ready(1000)(ctx); !errors.Is(err, projectors.ErrNotRunning) {
		t.Errorf("readiness after Run: %v", err)
	}
}

// A filtered projection is not behind because of events it does not read.
func TestLagOfFilteredProjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	l := newLedger("ledger")
	l.subjects = []string{"wardnet.ev.account.*"}
	p := e.projector(t, l, e.opts(t))
	deposits := e.deposit(t, 20, "t1")
	last := e.appendPayloads(t, "t1", "note", repeat(noted{Text: "not for the ledger"}, 30))
	stop := run(t, p)
	waitCheckpoint(t, e.db, "ledger", deposits)
	if n, err := p.Lag(ctx); err != nil || n != 0 {
		t.Errorf("lag %d (%v), want 0", n, err)
	}
	if st := ledgerState(t, e); st.Lag != 0 || st.StreamLast != last || st.Checkpoint != deposits {
		t.Errorf("status %+v", st)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", 20)
	e.deposit(t, 7, "t1")
	if n, err := p.Lag(ctx); err != nil || n != 7 {
		t.Errorf("lag with the projector stopped %d (%v), want 7", n, err)
	}
}

// Postgres is the truth: when the read model loses events the consumer had
// acknowledged (a restore from backup, a schema dropped by hand), the
// projector rewinds the consumer and applies them again, once.
func TestRewindsConsumerPastTheReadModel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	last := e.deposit(t, 1500, "t1")
	p := e.projector(t, newLedger("ledger"), e.opts(t))
	stop := run(t, p)
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// As if restored from a backup taken at sequence 500.
	if _, err := e.db.Pool.Exec(ctx, `DELETE FROM proj_ledger.applied WHERE seq > 500;
		UPDATE projections SET checkpoint = 500 WHERE name = 'ledger'`); err != nil {
		t.Fatal(err)
	}
	stop = run(t, e.projector(t, newLedger("ledger"), e.opts(t)))
	waitCheckpoint(t, e.db, "ledger", last)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", 1500)

	// As if an operator dropped the read model.
	if _, err := e.db.Pool.Exec(ctx, `DROP SCHEMA proj_ledger CASCADE`); err != nil {
		t.Fatal(err)
	}
	stop = run(t, e.projector(t, newLedger("ledger"), e.opts(t)))
	testenv.Eventually(t, time.Minute, func() error {
		if !schemaExists(t, e.db, "proj_ledger") || counts(t, e.db, "ledger").rows != 1500 {
			return fmt.Errorf("the dropped read model is not back")
		}
		return nil
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e.db, "ledger", 1500)
}
