package datakeys

import (
	"context"
	"fmt"
	"time"
)

// DayKeyRetention is how long a day key outlives its day: the janitor
// destroys it once its day ended this long ago (give or take one interval).
const DayKeyRetention = 48 * time.Hour

// DestroyDayKeysBefore destroys the day keys of the days (UTC) strictly
// before the day of t, and returns how many it destroyed.
func (k *Keyring) DestroyDayKeysBefore(ctx context.Context, t time.Time) (int, error) {
	rows, err := k.db.Query(ctx, `
		UPDATE data_keys SET wrapped = ''::bytea, destroyed_at = now()
		WHERE id ~ '^day:[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND id < $1 AND destroyed_at IS NULL
		RETURNING id`, DayKey(t))
	if err != nil {
		return 0, fmt.Errorf("destroy day keys before %s: %w", DayKey(t), err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return n, fmt.Errorf("destroy day keys before %s: %w", DayKey(t), err)
		}
		k.cache.drop(id)
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("destroy day keys before %s: %w", DayKey(t), err)
	}
	return n, nil
}

// RunJanitor destroys, now and then every interval, the day keys of days
// before the day DayKeyRetention ago: at any time of 2026-05-10 it destroys
// the keys of 2026-05-07 and earlier. It returns nil when ctx ends; a
// failed round is logged and retried at the next tick. Every replica may
// run it; rounds are idempotent.
func (k *Keyring) RunJanitor(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("datakeys janitor: interval %s must be positive", interval)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		cutoff := k.now().Add(-DayKeyRetention)
		n, err := k.DestroyDayKeysBefore(ctx, cutoff)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			k.log.ErrorContext(ctx, "day key janitor failed", "err", err)
		case n > 0:
			k.log.InfoContext(ctx, "day keys destroyed", "count", n, "before", DayKey(cutoff))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
