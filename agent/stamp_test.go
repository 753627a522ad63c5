package agent

import (
	"testing"
	"time"
)

func TestStamperAvoidsReplayCollisions(t *testing.T) {
	var s stamper
	now := time.Unix(1_800_000_000, 0)
	steps := []struct {
		at   time.Time
		hash string
		want int64
	}{
		{now, "empty", now.Unix()},
		{now, "empty", now.Unix() + 1},                             // same body, same second: next second
		{now.Add(500 * time.Millisecond), "empty", now.Unix() + 2}, // and the one after
		{now, "other", now.Unix()},                                 // another body does not collide
		{now.Add(5 * time.Second), "empty", now.Unix() + 5},        // the clock caught up
		{now.Add(5 * time.Second), "empty", now.Unix() + 6},
	}
	for i, st := range steps {
		if got := s.next(st.at, st.hash).Unix(); got != st.want {
			t.Errorf("step %d: timestamp %d, want %d", i, got, st.want)
		}
	}
	s.next(now.Add(replayTTL+time.Hour), "late")
	if len(s.last) != 1 {
		t.Errorf("stamper keeps %d hashes past the replay window, want 1", len(s.last))
	}
}
