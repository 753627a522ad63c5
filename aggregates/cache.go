package aggregates

import (
	"container/list"
	"sync"
)

// lru is a bounded least-recently-used map from aggregate id to its latest
// known encoded state. It is safe for concurrent use.
//
// It holds states encoded, not as values of S: states with maps or slices
// would otherwise be shared between the cache and every caller, and a
// caller (or an Evolve) that modified one in place would corrupt the cache
// silently. Decoding a small state costs microseconds, far less than the
// round trip to the log that every load makes anyway.
type lru struct {
	mu    sync.Mutex
	size  int
	order *list.List               // of *lruEntry, most recently used first; mu guards it
	byID  map[string]*list.Element // mu guards it
}

type lruEntry struct {
	id string
	f  *frozen
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), byID: make(map[string]*list.Element, size)}
}

func (c *lru) get(id string) *frozen {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).f
}

// put stores f unless the cache already holds a later position of the same
// aggregate: loads that overlap may finish in any order.
func (c *lru) put(id string, f *frozen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		ent := e.Value.(*lruEntry)
		if ent.f.seq <= f.seq {
			ent.f = f
		}
		c.order.MoveToFront(e)
		return
	}
	c.byID[id] = c.order.PushFront(&lruEntry{id: id, f: f})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byID, oldest.Value.(*lruEntry).id)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
