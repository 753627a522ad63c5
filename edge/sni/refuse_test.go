package sni_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

// TestParseRules breaks one field of a valid hello at a time.
func TestParseRules(t *testing.T) {
	t.Parallel()
	exts := func(es ...[]byte) []byte { return v16(join(es...)) }
	sni1 := sniExt("app.home-lab.dyn.example.net")
	for _, tc := range []struct {
		name   string
		change func(*helloParts)
		want   error // nil: accepted
		server string
	}{
		{"valid", func(*helloParts) {}, nil, "app.home-lab.dyn.example.net"},
		{"upper case name folded", func(p *helloParts) { p.extensions = exts(sniExt("App.HOME-lab.Dyn.Example.NET")) }, nil, "app.home-lab.dyn.example.net"},
		{"unknown name type skipped", func(p *helloParts) {
			p.extensions = exts(ext(0, v16(join(sniEntry(7, "x"), sniEntry(0, "a.b.c")))))
		}, nil, "a.b.c"},
		{"TLS 1.0 hello", func(p *helloParts) { p.version = []byte{3, 1} }, nil, "app.home-lab.dyn.example.net"},
		{"several compression methods with null", func(p *helloParts) { p.compression = v8([]byte{1, 0}) }, nil, "app.home-lab.dyn.example.net"},
		{"empty session id", func(p *helloParts) { p.sessionID = v8(nil) }, nil, "app.home-lab.dyn.example.net"},
		{"pre_shared_key last", func(p *helloParts) { p.extensions = exts(sni1, ext(41, []byte{0})) }, nil, "app.home-lab.dyn.example.net"},

		{"version 2.0", func(p *helloParts) { p.version = []byte{2, 0} }, sni.ErrMalformed, ""},
		{"version 3.4", func(p *helloParts) { p.version = []byte{3, 4} }, sni.ErrMalformed, ""},
		{"short random", func(p *helloParts) {
			p.random = p.random[:20]
			p.sessionID, p.suites, p.compression, p.extensions = nil, nil, nil, nil
		}, sni.ErrMalformed, ""},
		{"session id of 33", func(p *helloParts) { p.sessionID = v8(make([]byte, 33)) }, sni.ErrMalformed, ""},
		{"session id past the message", func(p *helloParts) { p.sessionID, p.suites, p.compression, p.extensions = []byte{32, 1}, nil, nil, nil }, sni.ErrMalformed, ""},
		{"odd cipher suites", func(p *helloParts) { p.suites = v16([]byte{0x13, 0x01, 0x13}) }, sni.ErrMalformed, ""},
		{"no cipher suites", func(p *helloParts) { p.suites = v16(nil) }, sni.ErrMalformed, ""},
		{"no compression methods", func(p *helloParts) { p.compression = v8(nil) }, sni.ErrMalformed, ""},
		{"compression without null", func(p *helloParts) { p.compression = v8([]byte{1}) }, sni.ErrMalformed, ""},
		{"extensions block too long", func(p *helloParts) { p.extensions = append([]byte{0x01, 0x00}, p.extensions[2:]...) }, sni.ErrMalformed, ""},
		{"extensions block too short", func(p *helloParts) { p.extensions[1]-- }, sni.ErrMalformed, ""},
		{"trailing garbage", func(p *helloParts) { p.trailing = []byte{0} }, sni.ErrMalformed, ""},
		{"half an extension header", func(p *helloParts) { p.extensions = exts(sni1, []byte{0}) }, sni.ErrMalformed, ""},
		{"extension past the block", func(p *helloParts) { p.extensions = exts(sni1, []byte{0, 9, 0, 5, 1}) }, sni.ErrMalformed, ""},
		{"duplicate extension", func(p *helloParts) { p.extensions = exts(sni1, alpnExt("h2"), alpnExt("h2")) }, sni.ErrMalformed, ""},
		{"duplicate server_name", func(p *helloParts) { p.extensions = exts(sni1, sni1) }, sni.ErrMalformed, ""},
		{"pre_shared_key not last", func(p *helloParts) { p.extensions = exts(ext(41, []byte{0}), sni1) }, sni.ErrMalformed, ""},
		{"two host names", func(p *helloParts) {
			p.extensions = exts(ext(0, v16(join(sniEntry(0, "a.b.c"), sniEntry(0, "d.e.f")))))
		}, sni.ErrMalformed, ""},
		{"empty server_name list", func(p *helloParts) { p.extensions = exts(ext(0, v16(nil))) }, sni.ErrMalformed, ""},
		{"empty server_name extension", func(p *helloParts) { p.extensions = exts(ext(0, nil)) }, sni.ErrMalformed, ""},
		{"empty host name", func(p *helloParts) { p.extensions = exts(ext(0, v16(sniEntry(0, "")))) }, sni.ErrMalformed, ""},
		{"server_name list shorter than extension", func(p *helloParts) {
			p.extensions = exts(ext(0, append(v16(sniEntry(0, "a.b.c")), 0)))
		}, sni.ErrMalformed, ""},
		{"host name past the list", func(p *helloParts) { p.extensions = exts(ext(0, v16([]byte{0, 0, 9, 'a'}))) }, sni.ErrMalformed, ""},
		{"empty ALPN list", func(p *helloParts) { p.extensions = exts(sni1, ext(16, v16(nil))) }, sni.ErrMalformed, ""},
		{"empty ALPN protocol", func(p *helloParts) { p.extensions = exts(sni1, alpnExt("h2", "")) }, sni.ErrMalformed, ""},

		{"no extensions", func(p *helloParts) { p.extensions = nil }, sni.ErrNoServerName, ""},
		{"empty extensions", func(p *helloParts) { p.extensions = v16(nil) }, sni.ErrNoServerName, ""},
		{"no server_name", func(p *helloParts) { p.extensions = exts(alpnExt("h2")) }, sni.ErrNoServerName, ""},
		{"only an unknown name type", func(p *helloParts) { p.extensions = exts(ext(0, v16(sniEntry(7, "x")))) }, sni.ErrNoServerName, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := validParts()
			tc.change(&p)
			_, hello, err := sni.ReadClientHello(bytes.NewReader(p.wire()), 0)
			if tc.want == nil && (err != nil || hello.ServerName != tc.server) {
				t.Fatalf("got %q, %v; want %q", hello.ServerName, err, tc.server)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestInvalidServerNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"app.home-lab.dyn.example.net.", // RFC 6066 §3: no trailing dot
		".home-lab.dyn.example.net",
		"app..dyn.example.net",
		"a_b.dyn.example.net",
		"-app.dyn.example.net",
		"app-.dyn.example.net",
		"app .dyn.example.net",
		"app.dyn.example.net\x00",
		"bücher.example",
		"*.dyn.example.net",
		"192.0.2.1:443",
		"192.0.2.1",
		strings.Repeat("a", 64) + ".example",
		strings.Repeat("abcdefgh.", 28) + "example", // 259 bytes
		".",
	} {
		p := validParts()
		p.extensions = v16(sniExt(name))
		_, _, err := sni.ReadClientHello(bytes.NewReader(p.wire()), 0)
		if !errors.Is(err, sni.ErrInvalidServerName) || sni.Reason(err) != "invalid_server_name" {
			t.Errorf("%q: err = %v, want ErrInvalidServerName", name, err)
		}
	}
	p := validParts()
	longest := strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("b", 61) // 253 bytes
	p.extensions = v16(sniExt(longest))
	if _, hello, err := sni.ReadClientHello(bytes.NewReader(p.wire()), 0); err != nil || hello.ServerName != longest {
		t.Errorf("253-byte name: %v", err)
	}
}

// TestRecordRules breaks the record layer around a real hello.
func TestRecordRules(t *testing.T) {
	t.Parallel()
	wire := defaultHello(t)
	msg := handshakeMessage(t, wire)
	withHeader := func(b0, b1, b2 byte) []byte { return join([]byte{b0, b1, b2}, wire[3:]) }
	for _, tc := range []struct {
		name  string
		in    []byte
		limit int
		want  error
	}{
		{"HTTP request", []byte("GET / HTTP/1.1\r\nHost: app.home-lab.dyn.example.net\r\n\r\n"), 0, sni.ErrNotTLS},
		{"one plaintext byte", []byte("G"), 0, sni.ErrNotTLS},
		{"SSL 2 hello", join([]byte{0x80, 0x2e, 0x01, 0x03, 0x01}, msg), 0, sni.ErrNotTLS},
		{"alert first", withHeader(0x15, 3, 1), 0, sni.ErrNotTLS},
		{"record version 2.0", withHeader(0x16, 2, 0), 0, sni.ErrMalformed},
		{"record version 3.4", withHeader(0x16, 3, 4), 0, sni.ErrMalformed},
		{"empty record", join(record(0x16, nil), wire), 0, sni.ErrMalformed},
		{"record over 2^14", record(0x16, make([]byte, 1<<14+1)), 64 << 10, sni.ErrMalformed},
		{"server hello", record(0x16, join([]byte{2}, msg[1:])), 0, sni.ErrMalformed},
		{"alert between fragments", join(record(0x16, msg[:100]), record(0x15, []byte{2, 40}), record(0x16, msg[100:])), 0, sni.ErrMalformed},
		{"CCS between fragments", join(record(0x16, msg[:2]), record(0x14, []byte{1}), record(0x16, msg[2:])), 0, sni.ErrMalformed},
		{"handshake bytes after the hello", record(0x16, join(msg, []byte{20, 0, 0, 0})), 0, sni.ErrMalformed},
		{"nothing", nil, 0, sni.ErrTruncated},
		{"hello cut short", wire[:len(wire)-1], 0, sni.ErrTruncated},
		{"limit one byte short", wire, len(wire) - 1, sni.ErrTooLarge},
		{"limit below a record header", wire, 4, sni.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			counter := &countingReader{r: bytes.NewReader(tc.in)}
			raw, _, err := sni.ReadClientHello(counter, tc.limit)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if limit := cmpLimit(tc.limit); counter.n > limit || !bytes.Equal(raw, tc.in[:counter.n]) {
				t.Fatalf("read %d bytes (limit %d), raw %d bytes", counter.n, limit, len(raw))
			}
		})
	}
	if _, _, err := sni.ReadClientHello(bytes.NewReader(wire), len(wire)); err != nil {
		t.Errorf("limit of exactly the hello: %v", err)
	}
}

func cmpLimit(limit int) int {
	if limit <= 0 {
		return sni.DefaultLimit
	}
	return limit
}

// Every prefix of a real hello is truncated, whatever the delivery; none
// is mistaken for anything else.
func TestEveryPrefixIsTruncated(t *testing.T) {
	t.Parallel()
	wire := defaultHello(t)
	for n := range len(wire) {
		_, _, err := sni.ReadClientHello(iotest.HalfReader(bytes.NewReader(wire[:n])), 0)
		if !errors.Is(err, sni.ErrTruncated) || sni.Reason(err) != "truncated" {
			t.Fatalf("prefix of %d bytes: err = %v, want ErrTruncated", n, err)
		}
		if wantEOF := n == 0; errors.Is(err, io.EOF) != wantEOF || errors.Is(err, io.ErrUnexpectedEOF) == wantEOF {
			t.Fatalf("prefix of %d bytes: err = %v, want io.EOF only when nothing was read", n, err)
		}
	}
}

// A 17 KiB hello is refused at the default 16 KiB limit without reading
// past the limit, however it is framed.
func TestOversizedHello(t *testing.T) {
	t.Parallel()
	wire := captureHello(t, &tls.Config{ServerName: "a.home-lab.dyn.example.net", NextProtos: protocols(64, 250)})
	msg := handshakeMessage(t, wire)
	if len(msg) < 17<<10 || len(msg) > 18<<10 {
		t.Fatalf("hello is %d bytes, want about 17 KiB", len(msg))
	}
	for name, in := range map[string][]byte{
		"as crypto/tls frames it": wire,
		"in 1 KiB records":        records(msg, slices1K(len(msg))...),
		"header split":            records(msg, 1, 3, 4000),
	} {
		counter := &countingReader{r: iotest.OneByteReader(bytes.NewReader(in))}
		_, _, err := sni.ReadClientHello(counter, 0)
		if !errors.Is(err, sni.ErrTooLarge) || sni.Reason(err) != "too_large" {
			t.Errorf("%s: err = %v, want ErrTooLarge", name, err)
		}
		if counter.n > sni.DefaultLimit {
			t.Errorf("%s: read %d bytes, past the limit", name, counter.n)
		}
		// The handshake header gives the size away early: no more than
		// the records that carry it are read.
		if counter.n > 4100 {
			t.Errorf("%s: read %d bytes before refusing a hello that declares its size", name, counter.n)
		}
	}
	if _, hello, err := sni.ReadClientHello(bytes.NewReader(wire), 20<<10); err != nil || len(hello.ALPN) != 64 {
		t.Errorf("with a 20 KiB limit: %d protocols, %v", len(hello.ALPN), err)
	}
}

func slices1K(n int) []int {
	sizes := make([]int, n/1024+1)
	for i := range sizes {
		sizes[i] = 1024
	}
	return sizes
}

func TestReadErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	wire := defaultHello(t)
	_, _, err := sni.ReadClientHello(iotest.TimeoutReader(bytes.NewReader(wire)), 0)
	if !errors.Is(err, iotest.ErrTimeout) || sni.Reason(err) != "read_error" {
		t.Errorf("err = %v, want iotest.ErrTimeout wrapped", err)
	}

	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go func() { _, _ = client.Write(wire[:100]) }()
	if err := server.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	raw, _, err := sni.ReadClientHello(server, 0)
	if !errors.Is(err, os.ErrDeadlineExceeded) || sni.Reason(err) != "timeout" {
		t.Errorf("err = %v, want the deadline", err)
	}
	if !bytes.Equal(raw, wire[:100]) {
		t.Errorf("raw is %d bytes, want the 100 sent", len(raw))
	}
}

func TestReason(t *testing.T) {
	t.Parallel()
	if r := sni.Reason(nil); r != "" {
		t.Errorf("Reason(nil) = %q", r)
	}
	seen := map[string]error{}
	for _, err := range []error{
		sni.ErrNotTLS, sni.ErrTooLarge, sni.ErrTruncated, sni.ErrMalformed, sni.ErrNoServerName,
		sni.ErrInvalidServerName, sni.ErrOutsideZone, sni.ErrZoneApex, sni.ErrInvalidSlug,
		os.ErrDeadlineExceeded, io.ErrClosedPipe,
	} {
		r := sni.Reason(err)
		if prev, dup := seen[r]; dup || r == "" {
			t.Errorf("Reason(%v) = %q, also the reason of %v", err, r, prev)
		}
		seen[r] = err
	}
}
