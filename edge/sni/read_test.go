package sni_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

// after is what a client might send after its hello (a TLS 1.3
// compatibility ChangeCipherSpec); the reader must leave it unread.
var after = record(0x14, []byte{1})

// deliveries are the ways the network may hand the bytes over.
// DataErrReader reads one read ahead of its caller, so it gets the hello
// alone and returns io.EOF with its last bytes.
var deliveries = []struct {
	name     string
	wrap     func(io.Reader) io.Reader
	endsHere bool // the input ends with the hello
}{
	{"whole", func(r io.Reader) io.Reader { return r }, false},
	{"one byte at a time", iotest.OneByteReader, false},
	{"half reads", iotest.HalfReader, false},
	{"data with EOF", iotest.DataErrReader, true},
	{"segments", func(r io.Reader) io.Reader { return &segmentReader{r: r, sizes: []int{7, 1, 300, 2, 1460, 3}} }, false},
}

// segmentReader returns reads of the given sizes in turn, as TCP segments
// might arrive.
type segmentReader struct {
	r     io.Reader
	sizes []int
	i     int
}

func (s *segmentReader) Read(p []byte) (int, error) {
	n := s.sizes[s.i%len(s.sizes)]
	s.i++
	return s.r.Read(p[:min(n, len(p))])
}

type helloCase struct {
	name  string
	wire  []byte
	limit int
	want  sni.ClientHello
}

func helloCases(t *testing.T) []helloCase {
	large := largeHello(t)
	largeMsg := handshakeMessage(t, large)
	huge := captureHello(t, &tls.Config{ServerName: "a.home-lab.dyn.example.net", NextProtos: protocols(70, 250)})
	homeLab := sni.ClientHello{ServerName: "app.home-lab.dyn.example.net"}
	largeWant := sni.ClientHello{ServerName: "home-lab.dyn.example.net", ALPN: protocols(30, 200)}
	return []helloCase{
		{"go default", defaultHello(t), 0, homeLab},
		{"over 6 KiB", large, 0, largeWant},
		// The handshake header itself split across records.
		{"over 6 KiB in several records", records(largeMsg, 1, 2, 3, 100, 1000, 2000), 0, largeWant},
		{"over 6 KiB one byte a record", records(largeMsg, slices.Repeat([]int{1}, 500)...), 0, largeWant},
		{"over 16 KiB split by crypto/tls", huge, 32 << 10,
			sni.ClientHello{ServerName: "a.home-lab.dyn.example.net", ALPN: protocols(70, 250)}},
		{"built", validParts().wire(), 0,
			sni.ClientHello{ServerName: "app.home-lab.dyn.example.net", ALPN: []string{"h2", "http/1.1"}}},
	}
}

func TestReadClientHello(t *testing.T) {
	t.Parallel()
	for _, hc := range helloCases(t) {
		for _, d := range deliveries {
			t.Run(hc.name+"/"+d.name, func(t *testing.T) {
				t.Parallel()
				follows := after
				if d.endsHere {
					follows = nil
				}
				in := bytes.NewReader(join(hc.wire, follows))
				counter := &countingReader{r: d.wrap(in)}
				raw, hello, err := sni.ReadClientHello(counter, hc.limit)
				if err != nil {
					t.Fatalf("ReadClientHello: %v", err)
				}
				if !bytes.Equal(raw, hc.wire) || counter.n != len(hc.wire) {
					t.Fatalf("raw is %d bytes and %d were read, want the %d-byte hello", len(raw), counter.n, len(hc.wire))
				}
				if rest, _ := io.ReadAll(in); !bytes.Equal(rest, follows) {
					t.Fatalf("left % x unread, want % x", rest, follows)
				}
				if hello.ServerName != hc.want.ServerName || !slices.Equal(hello.ALPN, hc.want.ALPN) {
					t.Fatalf("hello = %q %d protocols, want %q %d", hello.ServerName, len(hello.ALPN), hc.want.ServerName, len(hc.want.ALPN))
				}
			})
		}
	}
}

func TestHellosAreTheSizesTheTestsNeed(t *testing.T) {
	t.Parallel()
	if n := len(defaultHello(t)); n <= 1024 {
		t.Errorf("default hello is %d bytes; the test no longer covers hellos past the old 1024-byte peek", n)
	}
	if n := len(largeHello(t)); n <= 6<<10 {
		t.Errorf("large hello is %d bytes, want over 6 KiB", n)
	}
}

// countingReader counts the bytes it delivers.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReadClientHelloWithoutServerName(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]*tls.Config{
		"no name":    {InsecureSkipVerify: true},
		"IP address": {ServerName: "192.0.2.1"},
	} {
		raw, _, err := sni.ReadClientHello(bytes.NewReader(captureHello(t, cfg)), 0)
		if !errors.Is(err, sni.ErrNoServerName) || sni.Reason(err) != "no_server_name" {
			t.Errorf("%s: err = %v, want ErrNoServerName", name, err)
		}
		if len(raw) == 0 {
			t.Errorf("%s: raw is empty, want the bytes read", name)
		}
	}
}
