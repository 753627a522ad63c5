package presence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// Defaults of Config.
const (
	DefaultBucket = "presence"
	DefaultTTL    = 15 * time.Second
)

// markerTTL is how long the marker of an expired or released key stays in
// the bucket (LimitMarkerTTL): long enough for every watcher to see it.
const markerTTL = time.Minute

// Errors of the package.
var (
	// ErrNotHolder: Release of a network another node holds.
	ErrNotHolder = errors.New("presence: network held by another node")
	// ErrInvalidNode: a node id that is empty, too long or not made of
	// letters, digits and . _ : -.
	ErrInvalidNode = errors.New("presence: invalid node id")
)

// NodeID names a tunnel node, e.g. by the address other nodes forward to.
type NodeID string

// maxNode bounds a node id.
const maxNode = 128

// ParseNodeID accepts 1–128 bytes of letters, digits and . _ : -.
func ParseNodeID(s string) (NodeID, error) {
	if len(s) == 0 || len(s) > maxNode {
		return "", fmt.Errorf("%w: %d bytes", ErrInvalidNode, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != ':' && c != '-' {
			return "", fmt.Errorf("%w: %q", ErrInvalidNode, s)
		}
	}
	return NodeID(s), nil
}

// Config is where presence lives and how long a claim lasts unrefreshed.
type Config struct {
	// Bucket is the key-value bucket; DefaultBucket when empty.
	Bucket string
	// Replicas is the bucket's: 1 in development and tests, 3 in
	// production. Open never lowers the replicas of an existing bucket.
	Replicas int
	// TTL is how long a claim lasts without a heartbeat: a whole number of
	// seconds, at least one; DefaultTTL when zero. Run refreshes claims
	// every TTL/3.
	TTL time.Duration
	// Logger receives the heartbeat's warnings; slog.Default when nil.
	Logger *slog.Logger
}

// Displacement says that a claim made through a Presence is lost: another
// node claimed the network (By), so the tunnel on Node must close.
type Displacement struct {
	NetworkID ids.NetworkID
	// Node is the node that held the claim.
	Node NodeID
	// By is the node that holds the network now.
	By NodeID
	// Revision is the bucket revision of By's claim.
	Revision uint64
}

// Presence reads and writes the presence bucket, and keeps the claims made
// through it. It is safe for concurrent use.
type Presence struct {
	js      jetstream.JetStream
	kv      jetstream.KeyValue
	bucket  string
	subject string // "$KV.<bucket>."
	ttl     time.Duration
	log     *slog.Logger
	running atomic.Bool

	mu   sync.Mutex
	held map[ids.NetworkID]claim // the claims made through this Presence and not lost

	wmu      sync.Mutex // guards watchers and next
	watchers map[int]func(Displacement)
	next     int
	nmu      sync.Mutex // serialises calls of the watchers
}

// claim is a key this Presence wrote: for node, at revision rev.
type claim struct {
	node NodeID
	rev  uint64
}

// Open creates the bucket, or updates it to this build's settings, and
// returns a Presence over it.
func Open(ctx context.Context, js jetstream.JetStream, cfg Config) (*Presence, error) {
	cfg.Bucket = cmp.Or(cfg.Bucket, DefaultBucket)
	cfg.TTL = cmp.Or(cfg.TTL, DefaultTTL)
	if cfg.TTL < time.Second || cfg.TTL%time.Second != 0 {
		return nil, fmt.Errorf("presence: TTL %s: a whole number of seconds, at least one", cfg.TTL)
	}
	replicas := max(cfg.Replicas, 1)
	if kv, err := js.KeyValue(ctx, cfg.Bucket); err == nil {
		st, err := kv.Status(ctx)
		if err != nil {
			return nil, fmt.Errorf("presence: bucket %s: %w", cfg.Bucket, err)
		}
		replicas = max(replicas, st.Config().Replicas)
	} else if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("presence: bucket %s: %w", cfg.Bucket, err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:         cfg.Bucket,
		Description:    "Wardnet Cloud: which tunnel node holds which network's tunnel",
		History:        1,
		Storage:        jetstream.MemoryStorage,
		Replicas:       replicas,
		LimitMarkerTTL: markerTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("presence: bucket %s: %w", cfg.Bucket, err)
	}
	return &Presence{
		js: js, kv: kv, bucket: cfg.Bucket, subject: "$KV." + cfg.Bucket + ".", ttl: cfg.TTL,
		log:      cmp.Or(cfg.Logger, slog.Default()).With("bucket", cfg.Bucket),
		held:     map[ids.NetworkID]claim{},
		watchers: map[int]func(Displacement){},
	}, nil
}

// TTL is how long a claim lasts without a heartbeat.
func (p *Presence) TTL() time.Duration { return p.ttl }

// Claim records that node holds network id's tunnel, whoever held it
// before: a reconnecting daemon displaces its old tunnel. Run keeps the
// claim alive until Release or a displacement.
func (p *Presence) Claim(ctx context.Context, id ids.NetworkID, node NodeID) error {
	if err := check(id, node); err != nil {
		return err
	}
	rev, err := p.put(ctx, id, node, nil)
	if err != nil {
		return fmt.Errorf("presence: claim %s for %s: %w", id, node, err)
	}
	p.mu.Lock()
	p.held[id] = claim{node: node, rev: rev}
	p.mu.Unlock()
	return nil
}

// Release removes node's claim of network id, if the key still names node:
// nil when it is gone (released, expired or never there), ErrNotHolder
// when another node holds the network.
func (p *Presence) Release(ctx context.Context, id ids.NetworkID, node NodeID) error {
	if err := check(id, node); err != nil {
		return err
	}
	p.mu.Lock()
	c, ok := p.held[id]
	if ok && c.node == node {
		delete(p.held, id)
	}
	p.mu.Unlock()
	rev := c.rev
	if !ok || c.node != node {
		rev = 0 // not ours to know: read it
	}
	for range 3 {
		if rev != 0 {
			err := p.kv.Purge(ctx, id.String(), jetstream.LastRevision(rev), jetstream.PurgeTTL(markerTTL))
			if err == nil {
				return nil
			}
			if !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				return fmt.Errorf("presence: release %s by %s: %w", id, node, err)
			}
		}
		// The key moved since: a heartbeat of ours, or another node.
		e, err := p.kv.Get(ctx, id.String())
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("presence: release %s by %s: %w", id, node, err)
		}
		if holder := NodeID(e.Value()); holder != node {
			return fmt.Errorf("presence: release %s by %s: %w (%s)", id, node, ErrNotHolder, holder)
		}
		rev = e.Revision()
	}
	return fmt.Errorf("presence: release %s by %s: the key keeps moving", id, node)
}

// Holder is the node that holds network id's tunnel, if any.
func (p *Presence) Holder(ctx context.Context, id ids.NetworkID) (NodeID, bool, error) {
	if _, err := ids.Parse[ids.NetworkID](id.String()); err != nil {
		return "", false, fmt.Errorf("presence: %w", err)
	}
	e, err := p.kv.Get(ctx, id.String())
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("presence: holder of %s: %w", id, err)
	}
	return NodeID(e.Value()), true, nil
}

// Held lists the claims made through p and not lost, by network.
func (p *Presence) Held() map[ids.NetworkID]NodeID {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[ids.NetworkID]NodeID, len(p.held))
	for id, c := range p.held {
		out[id] = c.node
	}
	return out
}

// Watch calls fn with every Displacement of a claim made through p, from
// now until the returned function is called. Run must be running. Calls
// are serialised; fn must return quickly (cancel the tunnel's context).
func (p *Presence) Watch(fn func(Displacement)) (stop func()) {
	p.wmu.Lock()
	id := p.next
	p.next++
	p.watchers[id] = fn
	p.wmu.Unlock()
	return func() {
		p.wmu.Lock()
		delete(p.watchers, id)
		p.wmu.Unlock()
	}
}

// displaced forgets claim c of network id if it is still the one held,
// and tells the watchers; it reports whether it did.
func (p *Presence) displaced(id ids.NetworkID, c claim, by NodeID, rev uint64) bool {
	p.mu.Lock()
	cur, ok := p.held[id]
	if !ok || cur != c {
		p.mu.Unlock()
		return false
	}
	delete(p.held, id)
	p.mu.Unlock()
	d := Displacement{NetworkID: id, Node: c.node, By: by, Revision: rev}
	p.wmu.Lock()
	fns := make([]func(Displacement), 0, len(p.watchers))
	for _, fn := range p.watchers {
		fns = append(fns, fn)
	}
	p.wmu.Unlock()
	p.nmu.Lock()
	defer p.nmu.Unlock()
	for _, fn := range fns {
		fn(d)
	}
	return true
}

// put writes node as network id's holder with the TTL, expecting the
// key's last revision to be *expect when expect is given (0: no value).
// KeyValue.Put takes no TTL, so it publishes to the bucket's subject
// itself; with one revision per key, an expiring value resurrects nothing.
func (p *Presence) put(ctx context.Context, id ids.NetworkID, node NodeID, expect *uint64) (uint64, error) {
	m := nats.NewMsg(p.subject + id.String())
	m.Data = []byte(node)
	opts := []jetstream.PublishOpt{jetstream.WithMsgTTL(p.ttl)}
	if expect != nil {
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(*expect))
	}
	ack, err := p.js.PublishMsg(ctx, m, opts...)
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// conflict reports whether err is JetStream's "wrong last sequence": the
// key moved since the revision a write expected.
func conflict(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) &&
		(api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

func check(id ids.NetworkID, node NodeID) error {
	if _, err := ids.Parse[ids.NetworkID](id.String()); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	if _, err := ParseNodeID(string(node)); err != nil {
		return err
	}
	return nil
}
