package projectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/events"
)

// ErrBehind is returned by WaitFor when the projection has not applied
// the event asked for before ctx ends: a reader answers "try again" rather
// than stale data.
var ErrBehind = errors.New("read model behind the log")

// WaitFor waits until the projection name has applied the event at seq
// (its checkpoint is at or past it), polling its checkpoint with a short
// backoff, until ctx ends (ErrBehind). A projection that has not set up
// its tables yet is behind whatever the log holds, even nothing.
func WaitFor(ctx context.Context, pool *pgxpool.Pool, name string, seq events.StreamSeq) error {
	delay := time.Millisecond
	for {
		var cp int64
		err := pool.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1`, name).Scan(&cp)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("%s: %w: at %d", name, ErrBehind, seq)
		case err != nil:
			return fmt.Errorf("%s: checkpoint: %w", name, err)
		case events.StreamSeq(cp) >= seq:
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w: at %d, want %d", name, ErrBehind, cp, seq)
		case <-time.After(delay):
		}
		delay = min(2*delay, 25*time.Millisecond)
	}
}
