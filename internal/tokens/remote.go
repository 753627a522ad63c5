package tokens

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Defaults of RemoteOptions.
const (
	defaultRefreshInterval = 5 * time.Minute
	defaultMinFetchGap     = 10 * time.Second
	defaultFetchTimeout    = 10 * time.Second
)

// maxJWKSSize bounds a fetched JWKS; ours is a few hundred bytes per key.
const maxJWKSSize = 64 << 10

// RemoteOptions configure RemoteKeys. Zero fields take the defaults.
type RemoteOptions struct {
	// Client fetches the JWKS; default: an http.Client with
	// defaultFetchTimeout.
	Client *http.Client
	// RefreshInterval is how often Run refetches.
	RefreshInterval time.Duration
	// MinFetchGap is the least time between two fetches caused by an
	// unknown kid, so that tokens with made-up kids cannot make us hammer
	// tenants. Run also waits this long after a failed fetch.
	MinFetchGap time.Duration
	// Clock reads the time for MinFetchGap; default time.Now.
	Clock func() time.Time
	// Logger gets fetch failures and key changes; default slog.Default().
	Logger *slog.Logger
}

// RemoteKeys is a KeySource that follows the JWKS tenants publishes, so
// that ddns and tunneller take up a rotated signing key without a
// restart. Run refetches it periodically; Key refetches it when a token
// names a kid it does not know, at most once per MinFetchGap. A failed
// fetch keeps the keys from the last good one. Safe for concurrent use.
type RemoteKeys struct {
	url  string
	opts RemoteOptions

	fetching chan struct{} // a one-slot semaphore: one fetch at a time

	mu          sync.Mutex // guards the fields below
	set         KeySet
	lastAttempt time.Time // zero: never fetched
	lastErr     error     // of the last attempt
}

var _ KeySource = (*RemoteKeys)(nil)

// NewRemoteKeys follows the JWKS at url. It fetches nothing yet: call
// Refresh to fail fast at start-up, and run Run.
func NewRemoteKeys(url string, opts RemoteOptions) *RemoteKeys {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: defaultFetchTimeout}
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = defaultRefreshInterval
	}
	if opts.MinFetchGap <= 0 {
		opts.MinFetchGap = defaultMinFetchGap
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &RemoteKeys{url: url, opts: opts, fetching: make(chan struct{}, 1)}
}

// Keys is the key set from the last good fetch (empty before one).
func (r *RemoteKeys) Keys() KeySet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set
}

// Key implements KeySource. For an unknown kid it refetches the JWKS,
// unless another fetch happened less than MinFetchGap ago; it answers
// ErrKeysUnavailable when the fetch failed (or the last one did and it is
// too early to retry), ErrUnknownKey when tenants does not publish kid.
func (r *RemoteKeys) Key(ctx context.Context, kid KeyID) (ed25519.PublicKey, error) {
	if k, ok := r.Keys().Lookup(kid); ok {
		return k, nil
	}
	if err := r.acquire(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	defer r.release()
	// Whoever held the semaphore may have fetched the key meanwhile.
	r.mu.Lock()
	k, known := r.set.Lookup(kid)
	due := r.lastAttempt.IsZero() || r.opts.Clock().Sub(r.lastAttempt) >= r.opts.MinFetchGap
	lastErr := r.lastErr
	r.mu.Unlock()
	switch {
	case known:
		return k, nil
	case due:
		if err := r.fetch(ctx); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
		}
		if k, ok := r.Keys().Lookup(kid); ok {
			return k, nil
		}
	case lastErr != nil:
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, lastErr)
	}
	return nil, ErrUnknownKey
}

// Refresh fetches the JWKS now.
func (r *RemoteKeys) Refresh(ctx context.Context) error {
	if err := r.acquire(ctx); err != nil {
		return fmt.Errorf("jwks %s: %w", r.url, err)
	}
	defer r.release()
	return r.fetch(ctx)
}

// Run refetches the JWKS every RefreshInterval (MinFetchGap after a
// failure, which it logs) until ctx ends, then returns nil.
func (r *RemoteKeys) Run(ctx context.Context) error {
	t := time.NewTimer(0) // first fetch at once
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		wait := r.opts.RefreshInterval
		if err := r.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.opts.Logger.WarnContext(ctx, "jwks refresh failed; keeping the previous keys", "url", r.url, "err", err)
			wait = r.opts.MinFetchGap
		}
		t.Reset(wait)
	}
}

func (r *RemoteKeys) acquire(ctx context.Context) error {
	select {
	case r.fetching <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *RemoteKeys) release() { <-r.fetching }

// fetch gets and installs the JWKS. The semaphore must be held.
func (r *RemoteKeys) fetch(ctx context.Context) error {
	started := r.opts.Clock()
	set, err := r.get(ctx)
	r.mu.Lock()
	old := r.set
	r.lastAttempt, r.lastErr = started, err
	if err == nil {
		r.set = set
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	if oldIDs, newIDs := old.IDs(), set.IDs(); !slices.Equal(oldIDs, newIDs) {
		r.opts.Logger.InfoContext(ctx, "jwks keys changed", "url", r.url, "kids", newIDs, "previous", oldIDs)
	}
	return nil
}

func (r *RemoteKeys) get(ctx context.Context) (KeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return KeySet{}, fmt.Errorf("jwks %s: %w", r.url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return KeySet{}, fmt.Errorf("jwks %s: %w", r.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return KeySet{}, fmt.Errorf("jwks %s: status %s", r.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return KeySet{}, fmt.Errorf("jwks %s: read: %w", r.url, err)
	}
	if len(body) > maxJWKSSize {
		return KeySet{}, fmt.Errorf("jwks %s: %w", r.url, errTooLarge)
	}
	set, err := ParseJWKS(body)
	if err != nil {
		return KeySet{}, fmt.Errorf("jwks %s: %w", r.url, err)
	}
	return set, nil
}

var errTooLarge = errors.New("document larger than 64 KiB")
