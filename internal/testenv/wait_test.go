package testenv_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Eventually returns as soon as the check holds, and fails the test with
// the check's last error once its time is up.
func TestEventually(t *testing.T) {
	t.Parallel()
	calls := 0
	testenv.Eventually(t, time.Minute, func() error {
		if calls++; calls < 3 {
			return fmt.Errorf("call %d", calls)
		}
		return nil
	})
	if calls != 3 {
		t.Fatalf("%d calls, want 3", calls)
	}

	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testenv.Eventually(rec, 10*time.Millisecond, func() error { return errors.New("still not") })
	}()
	<-done
	if want := "not within 10ms: still not"; rec.fatal != want {
		t.Fatalf("failure %q, want %q", rec.fatal, want)
	}
}

// recorder catches a Fatalf without failing the test it stands in for.
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := testenv.StoppedClock(start)
	c.Advance(time.Hour)
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Fatalf("stopped clock after an hour: %s", got)
	}

	r := testenv.NewClock()
	before := time.Now()
	r.Advance(24 * time.Hour)
	if got := r.Now(); got.Before(before.Add(24*time.Hour)) || got.After(time.Now().Add(24*time.Hour)) {
		t.Fatalf("running clock a day ahead: %s, real %s", got, time.Now())
	}
	r.Set(start)
	if got := r.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %s", got)
	}
	r.Resume()
	if got := r.Now(); got.Before(start) || got.After(start.Add(time.Hour)) {
		t.Fatalf("resumed clock: %s, stopped at %s", got, start)
	}
}
