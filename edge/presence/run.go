package presence

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// Pauses before watching the bucket again after the watch failed.
const (
	minPause = 50 * time.Millisecond
	maxPause = 5 * time.Second
)

// Run refreshes the claims made through p every TTL/3 and watches the
// bucket for displacements, until ctx ends; then it returns nil. Errors of
// NATS are logged and retried. Run runs once per Presence.
func (p *Presence) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("presence: Run called twice")
	}
	var wg sync.WaitGroup
	wg.Go(func() { p.watch(ctx) })
	wg.Go(func() { p.heartbeat(ctx) })
	wg.Wait()
	return nil
}

// heartbeat refreshes every claim each TTL/3.
func (p *Presence) heartbeat(ctx context.Context) {
	tick := time.NewTicker(p.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			p.refresh(ctx)
		}
	}
}

// refresh rewrites each claim, expecting the revision it last wrote.
func (p *Presence) refresh(ctx context.Context) {
	p.mu.Lock()
	claims := make(map[ids.NetworkID]claim, len(p.held))
	for id, c := range p.held {
		claims[id] = c
	}
	p.mu.Unlock()
	for id, c := range claims {
		if ctx.Err() != nil {
			return
		}
		rev, err := p.put(ctx, id, c.node, &c.rev)
		switch {
		case err == nil:
			p.mu.Lock()
			if p.held[id] == c { // not released or claimed again meanwhile
				p.held[id] = claim{node: c.node, rev: rev}
			}
			p.mu.Unlock()
		case conflict(err):
			p.lost(ctx, id, c)
		default:
			// The claim may expire meanwhile; the next round finds it so.
			p.log.Warn("presence: heartbeat", "network", id, "node", c.node, "err", err)
		}
	}
}

// lost handles claim c of network id whose key is no longer at c.rev:
// another node's claim is a displacement; an expired key (heartbeats
// late) is claimed again, only if nobody claimed it meanwhile.
func (p *Presence) lost(ctx context.Context, id ids.NetworkID, c claim) {
	for range 3 {
		p.mu.Lock()
		still := p.held[id] == c
		p.mu.Unlock()
		if !still {
			return // released, or claimed again, meanwhile
		}
		e, err := p.kv.Get(ctx, id.String())
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			// Expired (or its marker too): claim it again, unless someone
			// is faster. Create expects the marker's revision.
			rev, err := p.kv.Create(ctx, id.String(), []byte(c.node), jetstream.KeyTTL(p.ttl))
			if err == nil {
				p.adopt(id, c, rev)
				p.log.Warn("presence: a claim expired before its heartbeat; claimed again", "network", id, "node", c.node)
				return
			}
			if !errors.Is(err, jetstream.ErrKeyExists) {
				p.log.Warn("presence: claim again", "network", id, "node", c.node, "err", err)
				return
			}
		case err != nil:
			p.log.Warn("presence: read a lost claim", "network", id, "node", c.node, "err", err)
			return
		case NodeID(e.Value()) == c.node:
			// Written for the same node through another path: keep it.
			p.adopt(id, c, e.Revision())
			return
		default:
			p.displaced(id, c, NodeID(e.Value()), e.Revision())
			return
		}
	}
}

// adopt moves claim c of network id to revision rev, if it is still held.
func (p *Presence) adopt(id ids.NetworkID, c claim, rev uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held[id] == c {
		p.held[id] = claim{node: c.node, rev: rev}
	}
}

// watch follows every write to the bucket until ctx ends, watching again
// after a failure.
func (p *Presence) watch(ctx context.Context) {
	pause := minPause
	for {
		err := p.watchOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("presence: watch", "err", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, maxPause)
	}
}

var errWatchClosed = errors.New("presence: watch closed")

// watchOnce watches the bucket: first its current value of every key, so
// that a displacement while nothing watched is found too, then every write.
func (p *Presence) watchOnce(ctx context.Context) error {
	w, err := p.kv.WatchAll(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errWatchClosed
			}
			if e != nil { // nil marks the end of the current values
				p.seen(ctx, e)
			}
		}
	}
}

// seen handles one write to the bucket: another node's claim of a
// network held here displaces it; the expiry of one held here is claimed
// again.
func (p *Presence) seen(ctx context.Context, e jetstream.KeyValueEntry) {
	id := ids.NetworkID(e.Key())
	p.mu.Lock()
	c, ok := p.held[id]
	p.mu.Unlock()
	if !ok || e.Revision() <= c.rev {
		return
	}
	switch {
	case e.Operation() != jetstream.KeyValuePut:
		// Expired: our own release took it out of held first.
		p.lost(ctx, id, c)
	case NodeID(e.Value()) != c.node:
		p.displaced(id, c, NodeID(e.Value()), e.Revision())
	}
}
