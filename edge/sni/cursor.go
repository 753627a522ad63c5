package sni

// cursor reads the big-endian integers and length-prefixed vectors of the
// TLS presentation language (RFC 8446 §3) from the front of a byte slice.
// Every read reports false, and consumes nothing, when the bytes run out.
type cursor []byte

func (c *cursor) empty() bool { return len(*c) == 0 }

// bytes takes the next n bytes.
func (c *cursor) bytes(n int) ([]byte, bool) {
	if n < 0 || len(*c) < n {
		return nil, false
	}
	b := (*c)[:n]
	*c = (*c)[n:]
	return b, true
}

// uint reads an n-byte big-endian unsigned integer (n ≤ 3).
func (c *cursor) uint(n int) (int, bool) {
	b, ok := c.bytes(n)
	if !ok {
		return 0, false
	}
	v := 0
	for _, x := range b {
		v = v<<8 | int(x)
	}
	return v, true
}

func (c *cursor) uint8() (int, bool)  { return c.uint(1) }
func (c *cursor) uint16() (int, bool) { return c.uint(2) }

// vector reads a vector whose length is an n-byte prefix.
func (c *cursor) vector(n int) (cursor, bool) {
	saved := *c
	length, ok := c.uint(n)
	if !ok {
		return nil, false
	}
	b, ok := c.bytes(length)
	if !ok {
		*c = saved
		return nil, false
	}
	return cursor(b), true
}
