package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the name of the event stream.
const StreamName = "EVENTS"

// StreamConfig holds the settings of the EVENTS stream that differ between
// deployments. Everything else is fixed by DESIGN §3.
type StreamConfig struct {
	// Replicas is 1 in development and tests, 3 in production.
	Replicas int
	// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values.
	// Retries later than this are still recognised, by scanning the
	// aggregate's events after a conflict (see Store.Append).
	DuplicateWindow time.Duration
}

// DefaultDuplicateWindow is JetStream's own default. It covers a client's
// immediate retries; later retries of a version-checked command are
// recognised by Append's scan of the aggregate after a conflict, so a longer
// window would only grow the server's in-memory id table (which every
// garbage collection scans) without making anything safer.
const DefaultDuplicateWindow = 2 * time.Minute

func (c StreamConfig) jetstream() jetstream.StreamConfig {
	replicas := c.Replicas
	if replicas == 0 {
		replicas = 1
	}
	window := c.DuplicateWindow
	if window == 0 {
		window = DefaultDuplicateWindow
	}
	return jetstream.StreamConfig{
		Name:               StreamName,
		Description:        "Wardnet Cloud domain events: the only source of truth",
		Subjects:           []string{SubjectPrefix + ">"},
		Retention:          jetstream.LimitsPolicy,
		Storage:            jetstream.FileStorage,
		Replicas:           replicas,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxAge:             0,
		MaxMsgsPerSubject:  -1,
		Discard:            jetstream.DiscardOld,
		Duplicates:         window,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowDirect:        true,
		AllowAtomicPublish: true,
		Compression:        jetstream.S2Compression,
	}
}

// EnsureStream creates the EVENTS stream, or updates it to the settings of
// this build. Start-up of every service calls it, so a cluster converges on
// the newest settings; the immutable ones (DenyDelete, DenyPurge) never
// change. It never lowers the replica count: one replica started with a
// development setting must not shrink the production log. Scaling down is
// an operator's explicit act (nats stream edit).
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg StreamConfig) (jetstream.Stream, error) {
	want := cfg.jetstream()
	if cur, err := js.Stream(ctx, StreamName); err == nil {
		want.Replicas = max(want.Replicas, cur.CachedInfo().Config.Replicas)
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("ensure stream %s: %w", StreamName, err)
	}
	s, err := js.CreateOrUpdateStream(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("ensure stream %s: %w", StreamName, err)
	}
	return s, nil
}

// Store appends to and reads from the EVENTS stream. It is safe for
// concurrent use.
type Store struct {
	js      jetstream.JetStream
	catalog *Catalog
	source  string
	// sourceHeader is the ce-source value for the default source.
	sourceHeader []string

	mu     sync.Mutex
	stream jetstream.Stream // cached handle; mu guards it
}

// Option configures a Store.
type Option func(*Store)

// WithSource sets the default ce-source, e.g. "/tenants".
func WithSource(source string) Option { return func(s *Store) { s.source = source } }

// NewStore returns a Store over an existing EVENTS stream.
func NewStore(js jetstream.JetStream, catalog *Catalog, opts ...Option) *Store {
	s := &Store{js: js, catalog: catalog, source: "/wardnet"}
	for _, o := range opts {
		o(s)
	}
	s.sourceHeader = []string{s.source}
	return s
}

// Open ensures the EVENTS stream and returns a Store over it.
func Open(ctx context.Context, js jetstream.JetStream, catalog *Catalog, cfg StreamConfig, opts ...Option) (*Store, error) {
	if _, err := EnsureStream(ctx, js, cfg); err != nil {
		return nil, err
	}
	return NewStore(js, catalog, opts...), nil
}

// Catalog is the catalogue the store encodes and decodes with.
func (s *Store) Catalog() *Catalog { return s.catalog }

// JetStream is the underlying JetStream context, for consumers.
func (s *Store) JetStream() jetstream.JetStream { return s.js }

// handle returns the stream handle, looked up once. The handle caches the
// stream info that tells nats.go to use Direct Get.
func (s *Store) handle(ctx context.Context) (jetstream.Stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stream != nil {
		return s.stream, nil
	}
	st, err := s.js.Stream(ctx, StreamName)
	if err != nil {
		return nil, err
	}
	s.stream = st
	return st, nil
}

// LastSeq is the sequence of the newest event in the log (0 when empty).
func (s *Store) LastSeq(ctx context.Context) (StreamSeq, error) {
	st, err := s.js.Stream(ctx, StreamName)
	if err != nil {
		return 0, fmt.Errorf("last sequence: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("last sequence: %w", err)
	}
	return StreamSeq(info.State.LastSeq), nil
}

// Version is the current version of one aggregate: the sequence of its last
// event, or 0 when it has none.
func (s *Store) Version(ctx context.Context, ref Ref) (StreamSeq, error) {
	st, err := s.handle(ctx)
	if err != nil {
		return 0, fmt.Errorf("version of %s: %w", ref, err)
	}
	m, err := st.GetLastMsgForSubject(ctx, ref.Subject())
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("version of %s: %w", ref, err)
	}
	return StreamSeq(m.Sequence), nil
}

// LastOfType is the sequence of the newest event of any aggregate of type
// typ (0 when there is none): what a projection that reads that type has to
// reach to have seen all of it. nats-server answers a get-last-message
// request for a wildcard subject with the newest message of any subject it
// matches.
func (s *Store) LastOfType(ctx context.Context, typ string) (StreamSeq, error) {
	st, err := s.handle(ctx)
	if err != nil {
		return 0, fmt.Errorf("newest %s event: %w", typ, err)
	}
	m, err := st.GetLastMsgForSubject(ctx, SubjectPrefix+typ+".*")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("newest %s event: %w", typ, err)
	}
	return StreamSeq(m.Sequence), nil
}

// Decode turns a stored message, as a consumer delivers it with its stream
// sequence and timestamp, into a Record with its payload decoded and upcast
// by the store's catalogue. Envelope errors match ErrMalformed; a payload
// newer than this build matches ErrFutureVersion.
func (s *Store) Decode(subject string, seq StreamSeq, stored time.Time, h nats.Header, data []byte) (Record, error) {
	return s.decode(subject, uint64(seq), stored, h, data)
}

// DecodeEnvelope turns a stored message into a Record without decoding its
// payload: Data is an Unknown holding the raw JSON. Readers that need only
// the envelope (an audit index) use it and never fail on a payload schema.
func DecodeEnvelope(subject string, seq StreamSeq, stored time.Time, h nats.Header, data []byte) (Record, error) {
	env, err := parseEnvelope(subject, stored, h)
	if err != nil {
		return Record{}, fmt.Errorf("decode seq %d: %w", seq, err)
	}
	return Record{Envelope: env, Seq: seq, Data: Unknown{Type: env.Type, Version: env.SchemaVersion, Raw: json.RawMessage(data)}}, nil
}

func (s *Store) decode(subject string, seq uint64, stored time.Time, h nats.Header, data []byte) (Record, error) {
	env, err := parseEnvelope(subject, stored, h)
	if err != nil {
		return Record{}, fmt.Errorf("decode seq %d: %w", seq, err)
	}
	p, err := s.catalog.Decode(env.Type, env.SchemaVersion, data)
	if err != nil {
		return Record{}, fmt.Errorf("decode seq %d: %w", seq, err)
	}
	return Record{Envelope: env, Seq: StreamSeq(seq), Data: p}, nil
}
