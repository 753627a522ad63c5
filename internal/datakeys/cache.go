package datakeys

import (
	"bytes"
	"sync"
)

// cache keeps unwrapped data keys. An entry is used only while the key's
// row still holds the same wrapped bytes, so it saves unwrapping, never a
// read of the row: a key destroyed by another replica is refused at once.
type cache struct {
	max int // <= 0: disabled

	mu      sync.Mutex // guards entries
	entries map[string]cacheEntry
}

type cacheEntry struct {
	wrapped []byte
	key     []byte
}

func newCache(max int) *cache {
	return &cache{max: max, entries: make(map[string]cacheEntry)}
}

// get returns the key of id if it was cached from these wrapped bytes.
func (c *cache) get(id string, wrapped []byte) ([]byte, bool) {
	if c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || !bytes.Equal(e.wrapped, wrapped) {
		return nil, false
	}
	return e.key, true
}

func (c *cache) put(id string, wrapped, key []byte) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; !ok && len(c.entries) >= c.max {
		// Evict an arbitrary entry; a miss costs one unwrap.
		for victim := range c.entries {
			delete(c.entries, victim)
			break
		}
	}
	c.entries[id] = cacheEntry{wrapped: bytes.Clone(wrapped), key: key}
}

func (c *cache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
