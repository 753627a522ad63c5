package presence_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// patience bounds every wait for what runs in the background.
const patience = 30 * time.Second

// promptly is how soon a displaced node must learn it: its tunnel closes
// within a second of the new claim.
const promptly = time.Second

// node is one tunnel node's view of presence, running until the test
// ends or stop.
type node struct {
	*presence.Presence
	id   presence.NodeID
	stop func()
	out  chan presence.Displacement
}

func open(t *testing.T, js jetstream.JetStream, cfg presence.Config) *presence.Presence {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := presence.Open(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// start opens presence for node id and runs it; its displacements go to
// the node's channel.
func start(t *testing.T, js jetstream.JetStream, id presence.NodeID, ttl time.Duration) *node {
	t.Helper()
	n := &node{Presence: open(t, js, presence.Config{TTL: ttl}), id: id, out: make(chan presence.Displacement, 16)}
	t.Cleanup(n.Watch(func(d presence.Displacement) { n.out <- d }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := n.Run(ctx); err != nil {
			t.Errorf("presence %s: Run: %v", id, err)
		}
	}()
	n.stop = func() { cancel(); <-done }
	t.Cleanup(n.stop)
	return n
}

func (n *node) claim(t *testing.T, id ids.NetworkID) {
	t.Helper()
	if err := n.Claim(t.Context(), id, n.id); err != nil {
		t.Fatal(err)
	}
}

// holder is the network's holder, "" for none.
func holder(t *testing.T, p *presence.Presence, id ids.NetworkID) presence.NodeID {
	t.Helper()
	h, ok, err := p.Holder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !ok && h != "" {
		t.Fatalf("Holder(%s) = %q but not found", id, h)
	}
	return h
}

func TestClaimAndHolder(t *testing.T) {
	t.Parallel()
	js := testenv.StartNATS(t).JS
	a := start(t, js, "node-a", 0)
	net1, net2 := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	if h := holder(t, a.Presence, net1); h != "" {
		t.Fatalf("holder of an unclaimed network: %q", h)
	}
	a.claim(t, net1)
	if h := holder(t, a.Presence, net1); h != "node-a" {
		t.Fatalf("holder %q, want node-a", h)
	}
	if h := holder(t, a.Presence, net2); h != "" {
		t.Fatalf("holder of another network: %q", h)
	}
	// A reconnect to the same node claims again, displacing nothing.
	a.claim(t, net1)
	if got := a.Held(); len(got) != 1 || got[net1] != "node-a" {
		t.Fatalf("held %v", got)
	}
	if a.TTL() != presence.DefaultTTL {
		t.Fatalf("TTL %s, want the default", a.TTL())
	}
	select {
	case d := <-a.out:
		t.Fatalf("displaced by its own claim: %+v", d)
	default:
	}
}

func TestDisplacement(t *testing.T) {
	t.Parallel()
	env := testenv.StartNATS(t)
	a := start(t, env.JS, "node-a", 0)
	b := start(t, env.JS, "node-b", 0)
	net1, net2 := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	a.claim(t, net1)
	a.claim(t, net2)

	// The daemon of net1 reconnects to node B.
	b.claim(t, net1)
	select {
	case d := <-a.out:
		if d.NetworkID != net1 || d.Node != "node-a" || d.By != "node-b" || d.Revision == 0 {
			t.Fatalf("displacement %+v", d)
		}
	case <-time.After(promptly):
		t.Fatalf("node A not told of its displacement within %s", promptly)
	}
	if h := holder(t, a.Presence, net1); h != "node-b" {
		t.Fatalf("holder %q, want node-b", h)
	}
	if got := a.Held(); len(got) != 1 || got[net2] != "node-a" {
		t.Fatalf("A holds %v, want only %s", got, net2)
	}
	select {
	case d := <-b.out:
		t.Fatalf("the new holder was displaced: %+v", d)
	case d := <-a.out:
		t.Fatalf("a second displacement: %+v", d)
	default:
	}

	// And back to A.
	a.claim(t, net1)
	select {
	case d := <-b.out:
		if d.NetworkID != net1 || d.By != "node-a" {
			t.Fatalf("displacement %+v", d)
		}
	case <-time.After(promptly):
		t.Fatalf("node B not told of its displacement within %s", promptly)
	}
}

func TestReleaseOnlyByOwner(t *testing.T) {
	t.Parallel()
	env := testenv.StartNATS(t)
	a := start(t, env.JS, "node-a", 0)
	b := start(t, env.JS, "node-b", 0)
	net1 := ids.New[ids.NetworkID]()
	a.claim(t, net1)
	b.claim(t, net1)

	// A's tunnel closes late, after B's claim: its release leaves B's.
	if err := a.Release(t.Context(), net1, "node-a"); !errors.Is(err, presence.ErrNotHolder) {
		t.Fatalf("release by the displaced node = %v, want ErrNotHolder", err)
	}
	// Nor can a node that never held it.
	if err := a.Release(t.Context(), net1, "node-c"); !errors.Is(err, presence.ErrNotHolder) {
		t.Fatalf("release by a stranger = %v, want ErrNotHolder", err)
	}
	if h := holder(t, a.Presence, net1); h != "node-b" {
		t.Fatalf("holder %q, want node-b", h)
	}
	if err := b.Release(t.Context(), net1, "node-b"); err != nil {
		t.Fatal(err)
	}
	if h := holder(t, a.Presence, net1); h != "" {
		t.Fatalf("holder %q after release", h)
	}
	if got := b.Held(); len(got) != 0 {
		t.Fatalf("B still holds %v", got)
	}
	// Releasing again is a no-op.
	if err := b.Release(t.Context(), net1, "node-b"); err != nil {
		t.Fatalf("second release: %v", err)
	}
	// (A may or may not have been told of its displacement before its
	// release: once released, the claim is no longer A's to lose.)
	select {
	case d := <-b.out:
		t.Fatalf("the releasing node was displaced: %+v", d)
	default:
	}
}

// TestReleaseAfterHeartbeats: the owner's release still works when
// heartbeats have moved the key's revision since its claim.
func TestReleaseAfterHeartbeats(t *testing.T) {
	t.Parallel()
	env := testenv.StartNATS(t)
	a := start(t, env.JS, "node-a", 3*time.Second)
	net1 := ids.New[ids.NetworkID]()
	ops := record(t, env.JS, net1)
	a.claim(t, net1)
	testenv.Eventually(t, patience, func() error {
		if got := ops(); len(got) < 2 {
			return fmt.Errorf("no heartbeat yet (%v)", got)
		}
		return nil
	})
	if got := ops(); slices.Contains(got, jetstream.KeyValuePurge) || slices.Contains(got, jetstream.KeyValueDelete) {
		t.Fatalf("the claim expired before its heartbeat: %v", got)
	}
	if err := a.Release(t.Context(), net1, "node-a"); err != nil {
		t.Fatal(err)
	}
	if h := holder(t, a.Presence, net1); h != "" {
		t.Fatalf("holder %q after release", h)
	}
}

// record watches network id's key from now on; the returned function
// lists the operations seen so far.
func record(t *testing.T, js jetstream.JetStream, id ids.NetworkID) func() []jetstream.KeyValueOp {
	t.Helper()
	kv, err := js.KeyValue(t.Context(), presence.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(t.Context(), id.String(), jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Stop() })
	var (
		mu  sync.Mutex
		ops []jetstream.KeyValueOp
	)
	go func() {
		for e := range w.Updates() {
			if e != nil {
				mu.Lock()
				ops = append(ops, e.Operation())
				mu.Unlock()
			}
		}
	}()
	return func() []jetstream.KeyValueOp {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ops)
	}
}

// TestExpiresWithoutHeartbeat: a node that stops refreshing loses its
// claims after the TTL; one that goes on keeps them however old.
func TestExpiresWithoutHeartbeat(t *testing.T) {
	t.Parallel()
	env := testenv.StartNATS(t)
	const ttl = 2 * time.Second
	a := start(t, env.JS, "node-a", ttl)
	b := start(t, env.JS, "node-b", ttl)
	kept, dropped := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	keptOps := record(t, env.JS, kept)
	a.claim(t, kept)
	b.claim(t, dropped)
	claimed := time.Now()
	b.stop() // node B dies: no more heartbeats

	testenv.Eventually(t, patience, func() error {
		if h := holder(t, a.Presence, dropped); h != "" {
			return fmt.Errorf("%s still held by %q", dropped, h)
		}
		return nil
	})
	if since := time.Since(claimed); since < ttl {
		t.Fatalf("claim gone after %s, before its TTL %s", since, ttl)
	}
	// A's claim is older than the TTL by now, and kept by its heartbeats:
	// rewritten, never expired (and claimed again).
	if h := holder(t, a.Presence, kept); h != "node-a" {
		t.Fatalf("heartbeating node lost its claim: holder %q", h)
	}
	if ops := keptOps(); len(ops) < 2 || slices.ContainsFunc(ops, func(op jetstream.KeyValueOp) bool { return op != jetstream.KeyValuePut }) {
		t.Fatalf("writes of the heartbeating node's key: %v, want only puts, more than one", ops)
	}
	select {
	case d := <-a.out:
		t.Fatalf("unexpected displacement %+v", d)
	default:
	}
}

func TestOpenRefusesBadSettings(t *testing.T) {
	t.Parallel()
	js := testenv.StartNATS(t).JS
	for _, ttl := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, -time.Second} {
		if _, err := presence.Open(t.Context(), js, presence.Config{TTL: ttl}); err == nil {
			t.Errorf("Open accepted TTL %s", ttl)
		}
	}
	p := open(t, js, presence.Config{})
	if err := p.Claim(t.Context(), "not-an-id", "node-a"); !errors.Is(err, ids.ErrInvalidID) {
		t.Errorf("Claim(bad id) = %v", err)
	}
	for _, n := range []presence.NodeID{"", "node a", "node/a", presence.NodeID(strings.Repeat("n", 129))} {
		if err := p.Claim(t.Context(), ids.New[ids.NetworkID](), n); !errors.Is(err, presence.ErrInvalidNode) {
			t.Errorf("Claim(node %q) = %v, want ErrInvalidNode", n, err)
		}
	}
	if _, err := presence.ParseNodeID("10.0.0.7:9444"); err != nil {
		t.Errorf("ParseNodeID(address) = %v", err)
	}
}

// TestBucketReplicas: on a three-server cluster the bucket is created with
// the replicas asked for, and a later Open asking fewer does not lower them.
func TestBucketReplicas(t *testing.T) {
	t.Parallel()
	cluster := startCluster(t, 3)
	js := cluster[0].JS
	var p *presence.Presence
	// The cluster elects its JetStream leader first.
	testenv.Eventually(t, patience, func() error {
		var err error
		p, err = presence.Open(t.Context(), js, presence.Config{Replicas: 3})
		return err
	})
	if got := replicas(t, js); got != 3 {
		t.Fatalf("bucket replicas %d, want 3", got)
	}
	open(t, js, presence.Config{Replicas: 1})
	if got := replicas(t, js); got != 3 {
		t.Fatalf("replicas lowered to %d", got)
	}
	// Claims work through any server.
	net1 := ids.New[ids.NetworkID]()
	if err := p.Claim(t.Context(), net1, "node-a"); err != nil {
		t.Fatal(err)
	}
	other := open(t, cluster[2].JS, presence.Config{Replicas: 3})
	testenv.Eventually(t, patience, func() error {
		if h := holder(t, other, net1); h != "node-a" {
			return fmt.Errorf("holder %q through another server", h)
		}
		return nil
	})
}

func replicas(t *testing.T, js jetstream.JetStream) int {
	t.Helper()
	kv, err := js.KeyValue(t.Context(), presence.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.LimitMarkerTTL() == 0 {
		t.Fatal("bucket without LimitMarkerTTL: per-key TTLs would not work")
	}
	return st.Config().Replicas
}

// startCluster starts n in-process servers routed to each other as one
// JetStream cluster.
func startCluster(t *testing.T, n int) []*testenv.NATS {
	t.Helper()
	ports := make([]int, n)
	routes := make([]string, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", ports[i])
		_ = l.Close()
	}
	out := make([]*testenv.NATS, n)
	for i := range out {
		out[i] = testenv.StartNATS(t, func(o *server.Options) {
			o.ServerName = fmt.Sprintf("s%d", i)
			o.Cluster = server.ClusterOpts{Name: "presence", Host: "127.0.0.1", Port: ports[i]}
			o.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		})
	}
	return out
}
