package passwords

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// fill takes every slot of h until the returned function is called.
func fill(h *Hasher) (release func()) {
	for range h.Slots() {
		h.slots <- struct{}{}
	}
	return func() {
		for range h.Slots() {
			<-h.slots
		}
	}
}

// With every slot taken, a computation waits for one to free up; the
// waiters beyond WaitingPerSlot × Slots, and those whose wait runs out,
// get ErrBusy without computing anything.
func TestHasherBoundsComputations(t *testing.T) {
	t.Parallel()
	h := NewHasher(2)
	h.maxWait = time.Hour // the wait ends when the test releases the slots
	h.maxWaiting = 6      // fewer argon2id runs than WaitingPerSlot would make
	release := fill(h)

	waiters := int(h.maxWaiting)
	callers := waiters + 12 // 12 are refused at once
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		busy int
	)
	for range callers {
		wg.Go(func() {
			if err := h.VerifyDummy(context.Background(), "password"); errors.Is(err, ErrBusy) {
				mu.Lock()
				busy++
				mu.Unlock()
			} else if err != nil {
				t.Error(err)
			}
		})
	}
	testenv.Eventually(t, time.Minute, func() error { // the callers arrive
		if r, w := h.refused.Load(), h.waiting.Load(); r < uint64(callers-waiters) || w < int64(waiters) {
			return fmt.Errorf("%d refused, %d waiting", r, w)
		}
		return nil
	})
	release()
	wg.Wait()
	if busy != callers-waiters || h.Computed() != uint64(waiters) {
		t.Fatalf("%d refused, %d computed; want %d and %d", busy, h.Computed(), callers-waiters, waiters)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(h)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		m := f.GetMetric()[0]
		got[f.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	want := map[string]float64{"wardnet_password_hashes_total": float64(waiters), "wardnet_password_hashes_refused_total": float64(callers - waiters),
		"wardnet_password_hash_slots_in_use": 0, "wardnet_password_hashes_waiting": 0}
	if !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
}

// A wait that runs out is ErrBusy; a context that ends first is its error.
func TestHasherWaitEnds(t *testing.T) {
	t.Parallel()
	h := NewHasher(1)
	h.maxWait = 10 * time.Millisecond
	defer fill(h)()
	if _, err := h.Hash(context.Background(), "long enough"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with no free slot: %v, want ErrBusy", err)
	}
	h.maxWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Verify(ctx, dummy.String(), "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with a cancelled context: %v", err)
	}
	if h.Computed() != 0 {
		t.Fatalf("computed %d", h.Computed())
	}
}

// Cheap checks come first: a password out of bounds or a malformed stored
// hash never takes a slot.
func TestHasherChecksBeforeComputing(t *testing.T) {
	t.Parallel()
	h := NewHasher(1)
	if _, err := h.Hash(context.Background(), "short"); !errors.Is(err, ErrTooShort) {
		t.Fatal(err)
	}
	if _, err := h.Verify(context.Background(), "$argon2id$nonsense", "password"); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
	if h.Computed() != 0 {
		t.Fatalf("computed %d", h.Computed())
	}
}

// A server-drawn secret is stored as its SHA-256 and verified without a
// slot, beside argon2id hashes of older secrets.
func TestSecrets(t *testing.T) {
	t.Parallel()
	h := NewHasher(1)
	defer fill(h)() // no slot is free: a secret must not need one
	const secret = "kM3a9x_Q0vLr2Zt8YwBn5Hc7Jd1Fe4Gs6Ku"
	stored, err := HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$sha256$") || len(stored) != len("$sha256$")+43 {
		t.Fatalf("stored form %q", stored)
	}
	for _, tc := range []struct {
		secret string
		want   bool
	}{{secret, true}, {secret + "x", false}, {"", false}} {
		if ok, err := h.Verify(context.Background(), stored, tc.secret); err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v", tc.secret, ok, err)
		}
	}
	if _, err := HashSecret("short"); err == nil {
		t.Error("HashSecret took a short secret")
	}
	for _, bad := range []string{"$sha256$", "$sha256$AAAA", "$sha256$" + strings.Repeat("!", 43)} {
		if _, err := h.Verify(context.Background(), bad, secret); !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify against %q: %v, want ErrMalformed", bad, err)
		}
	}
}
