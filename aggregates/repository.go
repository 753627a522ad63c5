package aggregates

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/events"
)

// DefaultCacheSize is how many aggregates a Repository keeps in memory
// unless WithCacheSize says otherwise.
const DefaultCacheSize = 1024

// Repository loads aggregates of one Kind. It is safe for concurrent use;
// create one per Kind per process and share it.
type Repository[S any] struct {
	kind  Kind[S]
	store *events.Store
	pool  *pgxpool.Pool // nil: no snapshots
	every int           // snapshot interval; 0: no snapshots
	cache *lru          // nil: no cache
	log   *slog.Logger
}

// Option configures a Repository.
type Option func(*options)

type options struct {
	cacheSize int
	every     *int
	log       *slog.Logger
}

// WithCacheSize bounds the in-memory cache to n aggregates; 0 disables it.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = n } }

// WithSnapshotEvery overrides Kind.SnapshotEvery; 0 disables snapshots.
func WithSnapshotEvery(n int) Option { return func(o *options) { o.every = &n } }

// WithLogger sets where the repository reports snapshot and cache problems,
// which it never returns as errors because both are only caches.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// NewRepository returns a repository of kind over store. Snapshots live in
// pool's snapshots table; a nil pool disables them.
func NewRepository[S any](store *events.Store, pool *pgxpool.Pool, kind Kind[S], opts ...Option) (*Repository[S], error) {
	if store == nil {
		return nil, errors.New("aggregates: new repository: nil event store")
	}
	if _, err := events.TypeFilter(kind.Type); err != nil {
		return nil, fmt.Errorf("aggregates: new repository: %w", err)
	}
	if kind.Evolve == nil {
		return nil, fmt.Errorf("aggregates: new repository %s: Kind.Evolve is nil", kind.Type)
	}
	o := options{cacheSize: DefaultCacheSize, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	r := &Repository[S]{kind: kind, store: store, pool: pool, every: kind.SnapshotEvery, log: o.log}
	if o.every != nil {
		r.every = *o.every
	}
	if pool == nil || r.every < 0 {
		r.every = 0
	}
	if o.cacheSize > 0 {
		r.cache = newLRU(o.cacheSize)
	}
	return r, nil
}

// Ref returns the reference of aggregate id of this kind.
func (r *Repository[S]) Ref(id string) (events.Ref, error) {
	return events.NewRef(r.kind.Type, id)
}

// Load returns the current state of aggregate id: the cached or
// snapshotted state, advanced by every later event in the log. An aggregate
// without events loads as the initial state at version 0.
func (r *Repository[S]) Load(ctx context.Context, id string) (Loaded[S], error) {
	ref, err := r.Ref(id)
	if err != nil {
		return Loaded[S]{}, err
	}
	l, _, err := r.load(ctx, ref, true)
	return l, err
}
