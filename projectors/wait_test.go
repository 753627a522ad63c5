package projectors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// WaitFor returns once the checkpoint reaches the sequence, and ErrBehind
// when the context ends first, also for a projection with no row yet.
func TestWaitFor(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	ctx := context.Background()
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	if err := projectors.WaitFor(short(), db.Pool, "waited", 1); !errors.Is(err, projectors.ErrBehind) {
		t.Fatalf("no row: %v, want ErrBehind", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO projections (name, checkpoint) VALUES ('waited', 5)`); err != nil {
		t.Fatal(err)
	}
	if err := projectors.WaitFor(short(), db.Pool, "waited", 6); !errors.Is(err, projectors.ErrBehind) {
		t.Fatalf("behind: %v, want ErrBehind", err)
	}
	for _, seq := range []uint64{0, 5} {
		if err := projectors.WaitFor(short(), db.Pool, "waited", events.StreamSeq(seq)); err != nil {
			t.Fatalf("at %d: %v", seq, err)
		}
	}
	// A checkpoint that moves, before or while it waits.
	go func() {
		_, _ = db.Pool.Exec(ctx, `UPDATE projections SET checkpoint = 9 WHERE name = 'waited'`)
	}()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := projectors.WaitFor(wctx, db.Pool, "waited", 9); err != nil {
		t.Fatalf("moving checkpoint: %v", err)
	}
}
