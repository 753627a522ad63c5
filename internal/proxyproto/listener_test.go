package proxyproto_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pp "github.com/pires/go-proxyproto"

	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

const request = "GET /ip HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n"

// rejects collects the errors a listener's OnReject reports.
type rejects struct {
	mu   sync.Mutex
	errs []error
}

func (r *rejects) add(_ net.Addr, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *rejects) wait(t *testing.T, want error) {
	t.Helper()
	testenv.Eventually(t, 5*time.Second, func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if !slices.ContainsFunc(r.errs, func(err error) bool { return errors.Is(err, want) }) {
			return fmt.Errorf("no rejection with %v reported among %v", want, r.errs)
		}
		return nil
	})
}

// serve starts an HTTP server that answers with ClientIP on a wrapped
// loopback listener and returns its address.
func serve(t *testing.T, mode proxyproto.Mode, opts ...proxyproto.Option) string {
	t.Helper()
	return serveOn(t, "127.0.0.1:0", mode, opts...)
}

func serveOn(t *testing.T, addr string, mode proxyproto.Mode, opts ...proxyproto.Option) string {
	t.Helper()
	ln, err := proxyproto.Listen("tcp", addr, mode, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ip", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, proxyproto.ClientIP(r))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", proxyproto.ClientIP(r), body)
	})
	srv := &http.Server{Handler: mux, ConnContext: proxyproto.ConnContext, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return ln.Addr().String()
}

// exchange sends the given chunks (each its own write, a pause between
// them so that they travel as separate segments) and returns the response
// body, or an error when the server closed without answering.
func exchange(t *testing.T, addr string, chunks ...string) (string, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	for i, chunk := range chunks {
		if i > 0 {
			time.Sleep(30 * time.Millisecond)
		}
		if _, err := io.WriteString(c, chunk); err != nil {
			return "", err
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return string(body), nil
}

func v2Header(t *testing.T, src, dst string) string {
	t.Helper()
	h := pp.HeaderProxyFromAddrs(2,
		net.TCPAddrFromAddrPort(netip.MustParseAddrPort(src)),
		net.TCPAddrFromAddrPort(netip.MustParseAddrPort(dst)))
	b, err := h.Format()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequiredAcceptsHeaders(t *testing.T) {
	t.Parallel()
	addr := serve(t, proxyproto.Required)
	cases := []struct {
		name, header, want string
	}{
		{"v1 tcp4", "PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n", "203.0.113.7"},
		{"v1 tcp6", "PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n", "2001:db8::7"},
		{"v2 tcp4", v2Header(t, "203.0.113.8:40000", "192.0.2.1:443"), "203.0.113.8"},
		{"v2 tcp6", v2Header(t, "[2001:db8::8]:40000", "[2001:db8::1]:443"), "2001:db8::8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exchange(t, addr, tc.header+request)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("client ip %q, want %q", got, tc.want)
			}
		})
	}
}

// A header that arrives in pieces is still read whole, and nothing after it
// is lost.
func TestRequiredHeaderSplitAcrossSegments(t *testing.T) {
	t.Parallel()
	addr := serve(t, proxyproto.Required)
	v1 := "PROXY TCP4 203.0.113.9 192.0.2.1 51234 443\r\n"
	v2 := v2Header(t, "[2001:db8::9]:40000", "[2001:db8::1]:443")
	cases := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"v1 in the prefix", []string{v1[:3], v1[3:] + request}, "203.0.113.9"},
		{"v1 mid-address", []string{v1[:17], v1[17:], request}, "203.0.113.9"},
		{"v2 in the signature", []string{v2[:5], v2[5:] + request}, "2001:db8::9"},
		{"v2 in the addresses", []string{v2[:20], v2[20:30], v2[30:] + request[:10], request[10:]}, "2001:db8::9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exchange(t, addr, tc.chunks...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("client ip %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequiredRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, prefix string
		want         error
	}{
		{"missing header", "", proxyproto.ErrMissingHeader},
		{"v1 unknown", "PROXY UNKNOWN\r\n", proxyproto.ErrInvalidHeader},
		{"v1 unknown with addresses", "PROXY UNKNOWN 203.0.113.7 192.0.2.1 51234 443\r\n", proxyproto.ErrInvalidHeader},
		{"v2 local", string(localV2()), proxyproto.ErrInvalidHeader},
		{"v1 without crlf", "PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\n", proxyproto.ErrInvalidHeader},
		{"v1 bad address", "PROXY TCP4 203.0.113.777 192.0.2.1 51234 443\r\n", proxyproto.ErrInvalidHeader},
		{"v1 too long", "PROXY TCP4 " + strings.Repeat("1", 200) + "\r\n", proxyproto.ErrInvalidHeader},
		{"almost v1", "PROXYGET / HTTP/1.1\r\n", proxyproto.ErrMissingHeader},
		{"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", proxyproto.ErrMissingHeader},
		{"almost v2", "\r\n\r\n\x00\r\nQUIX\n\x21\x11\x00\x0c", proxyproto.ErrMissingHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rj rejects
			addr := serve(t, proxyproto.Required, proxyproto.OnReject(rj.add))
			got, err := exchange(t, addr, tc.prefix+request)
			if err == nil {
				t.Fatalf("answered %q; want the connection dropped", got)
			}
			rj.wait(t, tc.want)
		})
	}
}

// localV2 is a v2 LOCAL header, what HAProxy sends on its own health checks.
func localV2() []byte {
	h := &pp.Header{Version: 2, Command: pp.LOCAL, TransportProtocol: pp.UNSPEC}
	b, _ := h.Format()
	return b
}

// A client that connects and says nothing is dropped after the header
// timeout instead of holding the connection.
func TestRequiredSilentClientTimesOut(t *testing.T) {
	t.Parallel()
	var rj rejects
	addr := serve(t, proxyproto.Required, proxyproto.WithHeaderTimeout(100*time.Millisecond), proxyproto.OnReject(rj.add))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(make([]byte, 1))
	if n != 0 || err == nil {
		t.Fatalf("read %d bytes, %v; want the server to close", n, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept the silent connection open")
	}
	rj.wait(t, proxyproto.ErrMissingHeader)
}

// The bytes after the header reach the application exactly: none consumed
// by the header reader, none reordered.
func TestNoOverRead(t *testing.T) {
	t.Parallel()
	ln, err := proxyproto.Listen("tcp", "127.0.0.1:0", proxyproto.Required)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	payload := strings.Repeat("after the header comes the application's data. ", 200)
	for _, header := range []string{
		"PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n",
		v2Header(t, "[2001:db8::7]:1", "[2001:db8::1]:2"),
	} {
		go func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			defer c.Close()
			_, _ = io.WriteString(c, header+payload)
		}()
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != payload {
			t.Fatalf("read %d bytes after the header, want the %d sent", len(got), len(payload))
		}
	}
}

// Pipelined requests and a body in the same segment as the header are all
// served.
func TestPipelinedRequestsAfterHeader(t *testing.T) {
	t.Parallel()
	addr := serve(t, proxyproto.Required)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = io.WriteString(c, "PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n"+
		"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"+
		"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nworld")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for _, want := range []string{"203.0.113.7 hello", "203.0.113.7 world"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

func TestOffPassesThrough(t *testing.T) {
	t.Parallel()
	addr := serve(t, proxyproto.Off)
	got, err := exchange(t, addr, request)
	if err != nil {
		t.Fatal(err)
	}
	if got != "127.0.0.1" {
		t.Fatalf("client ip %q, want the loopback peer", got)
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]proxyproto.Mode{"required": proxyproto.Required, "OFF": proxyproto.Off, " off ": proxyproto.Off} {
		var m proxyproto.Mode
		if err := m.UnmarshalText([]byte(in)); err != nil || m != want {
			t.Errorf("%q: %v, %v", in, m, err)
		}
	}
	if _, err := proxyproto.ParseMode("optional"); err == nil {
		t.Error("unknown mode accepted")
	}
	var zero proxyproto.Mode
	if zero != proxyproto.Required {
		t.Error("the zero Mode must fail closed")
	}
}
