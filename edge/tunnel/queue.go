package tunnel

// queue is a FIFO on a slice. Bounds are the caller's: every queue in the
// package is capped by a limit or by the number of streams.
type queue[T any] struct {
	items []T
	head  int
}

func (q *queue[T]) len() int { return len(q.items) - q.head }

func (q *queue[T]) push(v T) { q.items = append(q.items, v) }

func (q *queue[T]) pop() (T, bool) {
	var zero T
	if q.head == len(q.items) {
		return zero, false
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= 64 && 2*q.head >= len(q.items):
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return v, true
}

// drain empties the queue, handing each item to f.
func (q *queue[T]) drain(f func(T)) {
	for {
		v, ok := q.pop()
		if !ok {
			return
		}
		f(v)
	}
}
