package forward_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/wardnet/wardnet-cloud/edge/forward"
)

// FuzzPreamble: ReadPreamble never panics, never reads more than
// MaxPreambleLen bytes nor past the preamble, reads the same at once and
// a byte at a time, and what it accepts encodes back to the bytes it read.
func FuzzPreamble(f *testing.F) {
	for _, p := range preambleVectors {
		b, _ := p.AppendBinary(nil)
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(append(b, "more"...))
	}
	f.Add([]byte{})
	f.Add([]byte("WNFW\x02"))
	f.Add([]byte("WNFW\x01\xff"))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))

	f.Fuzz(func(t *testing.T, in []byte) {
		counter := &countingReader{r: bytes.NewReader(in)}
		p, err := forward.ReadPreamble(counter)
		if counter.n > forward.MaxPreambleLen {
			t.Fatalf("read %d bytes, over %d", counter.n, forward.MaxPreambleLen)
		}
		if errors.Is(err, forward.ErrTruncated) && counter.n != len(in) {
			t.Fatalf("truncated after %d of %d bytes: %v", counter.n, len(in), err)
		}
		if forward.PreambleReason(err) == forward.ReasonReadError {
			t.Fatalf("a bytes.Reader gave a read error: %v", err)
		}
		p1, err1 := forward.ReadPreamble(iotest.OneByteReader(bytes.NewReader(in)))
		if forward.PreambleReason(err1) != forward.PreambleReason(err) || (err == nil && !samePreamble(p1, p)) {
			t.Fatalf("one byte at a time: %+v, %v; at once: %+v, %v", p1, err1, p, err)
		}
		if err != nil {
			return
		}
		b, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatalf("an accepted preamble does not encode: %+v: %v", p, err)
		}
		if !bytes.Equal(b, in[:counter.n]) {
			t.Fatalf("encodes to %x, read %x", b, in[:counter.n])
		}
		if p2, err := forward.ReadPreamble(bytes.NewReader(b)); err != nil || !samePreamble(p2, p) {
			t.Fatalf("round trip: %+v, %v; want %+v", p2, err, p)
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += k
	return k, err
}
