package tokens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// jwksServer serves a JWKS that the test can swap or break, and counts
// the fetches.
type jwksServer struct {
	*httptest.Server
	fetches atomic.Int64

	mu     sync.Mutex
	doc    []byte
	status int
}

func newJWKSServer(t *testing.T, keys KeySet) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.set(t, keys)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		doc, status := s.doc, s.status
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(t *testing.T, keys KeySet) {
	t.Helper()
	doc, err := keys.MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	s.setRaw(http.StatusOK, doc)
}

func (s *jwksServer) setRaw(status int, doc []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.doc = status, doc
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A verifier following the JWKS takes up a rotated key when a token names
// it, refetches at most once per MinFetchGap for unknown kids, and keeps
// its keys through a failed fetch.
func TestRemoteKeysFollowRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	oldKey, newKey := keyFromSeed(t, seedSigning), keyFromSeed(t, seedNext)
	before, rotated := newSigner(t, oldKey), newSigner(t, newKey, pub(oldKey))
	srv := newJWKSServer(t, before.Keys())
	clock := testenv.StoppedClock(fixedNow)
	rk := NewRemoteKeys(srv.URL, RemoteOptions{MinFetchGap: 10 * time.Second, Clock: clock.Now, Logger: quietLogger()})
	v := NewVerifier(AudienceDDNS, rk)
	claims := DaemonClaims(testTenant, pub(keyFromSeed(t, seedDaemon)), testNetwork, fixedNow)
	oldTok, newTok := mustSign(t, before, claims), mustSign(t, rotated, claims)

	if err := rk.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, oldTok, fixedNow); err != nil {
		t.Fatalf("old token: %v", err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches after one refresh and a known kid, want 1", n)
	}

	// Tenants rotates. Within the gap the new kid is unknown and nothing
	// is fetched; after it, the new kid triggers one fetch.
	srv.set(t, rotated.Keys())
	if _, err := v.Verify(ctx, newTok, fixedNow); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("new token within the gap: %v, want ErrUnknownKey", err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches within the gap, want 1", n)
	}
	clock.Advance(10 * time.Second)
	if _, err := v.Verify(ctx, newTok, fixedNow); err != nil {
		t.Fatalf("new token after the gap: %v", err)
	}
	if _, err := v.Verify(ctx, oldTok, fixedNow); err != nil {
		t.Fatalf("old token, still published: %v", err)
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}

	// Made-up kids cannot make it hammer tenants.
	forged := signRaw(t, oldKey, edHeader("made-up"), claims)
	for range 5 {
		if _, err := v.Verify(ctx, forged, fixedNow); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("made-up kid: %v", err)
		}
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after made-up kids within the gap, want 2", n)
	}

	// Tenants breaks: the known keys keep verifying; an unknown kid is
	// "try again", not "invalid", until the next fetch succeeds.
	srv.setRaw(http.StatusInternalServerError, []byte("oops"))
	clock.Advance(10 * time.Second)
	if _, err := v.Verify(ctx, forged, fixedNow); !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid while tenants fails: %v, want ErrKeysUnavailable only", err)
	}
	if _, err := v.Verify(ctx, forged, fixedNow); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("unknown kid within the gap after a failure: %v, want ErrKeysUnavailable", err)
	}
	if _, err := v.Verify(ctx, newTok, fixedNow); err != nil {
		t.Fatalf("known key after a failed fetch: %v", err)
	}
	if got := rk.Keys().Len(); got != 2 {
		t.Fatalf("%d keys after a failed fetch, want the previous 2", got)
	}
}

func TestRemoteKeysRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	good, err := s.Keys().MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		status int
		doc    []byte
	}{
		"server error": {http.StatusServiceUnavailable, good},
		"not found":    {http.StatusNotFound, nil},
		"not JSON":     {http.StatusOK, []byte("<html>")},
		"no keys":      {http.StatusOK, []byte(`{"keys":[]}`)},
		"oversized":    {http.StatusOK, []byte(`{"keys":[],"pad":"` + strings.Repeat("a", maxJWKSSize) + `"}`)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newJWKSServer(t, s.Keys())
			srv.setRaw(tc.status, tc.doc)
			rk := NewRemoteKeys(srv.URL, RemoteOptions{Logger: quietLogger()})
			if err := rk.Refresh(ctx); err == nil {
				t.Fatal("refresh succeeded")
			}
			if rk.Keys().Len() != 0 {
				t.Fatal("keys installed from a refused document")
			}
			if _, err := rk.Key(ctx, s.KeyID()); !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("Key: %v, want ErrKeysUnavailable", err)
			}
		})
	}
}

// Run fetches at once, keeps fetching, and returns when its context ends.
func TestRemoteKeysRun(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keyFromSeed(t, seedSigning))
	srv := newJWKSServer(t, s.Keys())
	rk := NewRemoteKeys(srv.URL, RemoteOptions{RefreshInterval: 5 * time.Millisecond, Logger: quietLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rk.Run(ctx) }()
	testenv.Eventually(t, 10*time.Second, func() error {
		if n := srv.fetches.Load(); n < 3 {
			return fmt.Errorf("%d fetches", n)
		}
		return nil
	})
	if _, ok := rk.Keys().Lookup(s.KeyID()); !ok {
		t.Fatal("Run did not install the keys")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
