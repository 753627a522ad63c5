package testenv

import (
	"testing"
	"time"
)

// Eventually calls check until it returns nil, pausing briefly between
// calls (1 ms, doubling to 25 ms), and fails t with check's last error once
// within has passed. It is how a test waits for what the code under test
// does in the background (a projection catching up, a process stopping):
// never a fixed sleep, which is either too short on a busy machine or
// wasted on an idle one.
func Eventually(t testing.TB, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	pause := time.Millisecond
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %v", within, err)
		}
		time.Sleep(pause)
		pause = min(2*pause, 25*time.Millisecond)
	}
}
