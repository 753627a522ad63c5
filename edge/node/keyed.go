package node

import "sync"

// keyed is a mutex per key, kept only while someone holds or waits for
// it: Hold and a tunnel's end take their network's, so that a claim and
// a release of one network never interleave, while other networks go on.
type keyed[K comparable] struct {
	mu sync.Mutex
	m  map[K]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int // holders and waiters; guarded by keyed.mu
}

func newKeyed[K comparable]() keyed[K] { return keyed[K]{m: map[K]*keyedLock{}} }

// lock locks k's mutex and returns its unlock.
func (k *keyed[K]) lock(key K) (unlock func()) {
	k.mu.Lock()
	l := k.m[key]
	if l == nil {
		l = &keyedLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
