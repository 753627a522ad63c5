package host_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/httpserver"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// limitedAPI starts a runtime with limits l whose public API, on its own
// PROXY listener, reads the whole body as every API does
// (endpoint.LimitBody) and answers its length. It returns the API's
// address.
func limitedAPI(t *testing.T, l httpserver.Limits) string {
	t.Helper()
	nt := testenv.StartNATS(t)
	db := testenv.Postgres(t)
	cfg := config(t, nt.URL, db.URL)
	cfg.Limits = l
	api := endpoint.LimitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprint(w, len(body))
	}))
	r := start(t, cfg, func(rt *host.Runtime) {
		if err := rt.ServeAPI(host.PublicAPI{APIAddr: "127.0.0.1:0", APIProxyProtocol: "required"}, api); err != nil {
			t.Fatal(err)
		}
	})
	return r.rt.APIAddr().String()
}

// shortLimits are limits a test can wait out.
func shortLimits() httpserver.Limits {
	return httpserver.Limits{
		ReadHeaderTimeout: 300 * time.Millisecond,
		ReadTimeout:       time.Second,
		WriteTimeout:      2 * time.Second,
		IdleTimeout:       500 * time.Millisecond,
		MaxHeaderBytes:    8 << 10,
		MaxConnsPerClient: 4,
	}
}

// clientConn is a connection to addr that the PROXY header says comes
// from client src.
func clientConn(t *testing.T, addr, src string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := fmt.Fprintf(c, "PROXY TCP4 %s 192.0.2.1 40000 443\r\n", src); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedBy reads c until the server closes it and returns what it read,
// failing the test if that takes longer than within.
func closedBy(t *testing.T, c net.Conn, within time.Duration) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s; read so far %q", within, got)
	}
	return string(got)
}

const slack = 5 * time.Second // generous: the race detector and a busy CI machine

// A body dribbled one byte at a time, and a body of nearly 1 MiB sent at
// once and then held back, are cut off at the read timeout; an idle
// keep-alive connection is closed at the idle timeout; a 1 MiB body sent
// steadily within the read timeout is served.
func TestListenerDeadlines(t *testing.T) {
	t.Parallel()
	l := shortLimits()
	addr := limitedAPI(t, l)
	post := func(n int) string {
		return "POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	}

	t.Run("dribbled body", func(t *testing.T) {
		t.Parallel()
		c := clientConn(t, addr, "198.51.100.1")
		go func() {
			if _, err := io.WriteString(c, post(1<<20)); err != nil {
				return
			}
			for {
				if _, err := c.Write([]byte{'x'}); err != nil {
					return // the server closed it
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		if got := closedBy(t, c, l.ReadTimeout+slack); strings.Contains(got, " 200 ") {
			t.Fatalf("a dribbled body was served: %q", got)
		}
	})

	t.Run("held body", func(t *testing.T) {
		t.Parallel()
		c := clientConn(t, addr, "198.51.100.2")
		go func() {
			_, _ = io.WriteString(c, post(1<<20)+strings.Repeat("x", 1<<20-1))
		}()
		if got := closedBy(t, c, l.ReadTimeout+slack); strings.Contains(got, " 200 ") {
			t.Fatalf("a held body was served: %q", got)
		}
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		t.Parallel()
		c := clientConn(t, addr, "198.51.100.3")
		io.WriteString(c, "GET /x HTTP/1.1\r\nHost: api\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("first request: %d, close %v", resp.StatusCode, resp.Close)
		}
		_ = c.SetReadDeadline(time.Now().Add(l.IdleTimeout + slack))
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Fatalf("idle connection: read %q, %v; want a close", rest, err)
		}
	})

	t.Run("steady 1 MiB body", func(t *testing.T) {
		t.Parallel()
		c := clientConn(t, addr, "198.51.100.4")
		go func() {
			_, _ = io.WriteString(c, post(1<<20))
			chunk := strings.Repeat("x", 64<<10)
			for range 16 { // 1 MiB over about half the read timeout
				if _, err := io.WriteString(c, chunk); err != nil {
					return
				}
				time.Sleep(l.ReadTimeout / 32)
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(l.WriteTimeout + slack))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != strconv.Itoa(1<<20) {
			t.Fatalf("steady body: %d %q", resp.StatusCode, body)
		}
	})
}

// A client holding MaxConnsPerClient connections is answered 429 on the
// next, with a JSON error and Retry-After, while another client is
// served; closing one of its connections lets it in again.
func TestListenerCapsConnectionsPerClient(t *testing.T) {
	t.Parallel()
	l := shortLimits()
	l.ReadHeaderTimeout, l.ReadTimeout, l.WriteTimeout, l.IdleTimeout = time.Minute, time.Minute, 2*time.Minute, time.Minute
	addr := limitedAPI(t, l)

	held := make([]net.Conn, l.MaxConnsPerClient)
	for i := range held {
		held[i] = clientConn(t, addr, "203.0.113.9")
		// A request each, so that the server has read the header and
		// counted the connection.
		io.WriteString(held[i], "GET /x HTTP/1.1\r\nHost: api\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(held[i]), nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("connection %d: %v", i, err)
		}
		resp.Body.Close()
	}

	over := clientConn(t, addr, "203.0.113.9")
	io.WriteString(over, "GET /x HTTP/1.1\r\nHost: api\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(over), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		resp.Header.Get("Content-Type") != "application/json" || string(body) != `{"error":"too many connections from your address"}`+"\n" {
		t.Fatalf("over the cap: %d %v %q", resp.StatusCode, resp.Header, body)
	}

	other := clientConn(t, addr, "203.0.113.10")
	io.WriteString(other, "GET /x HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
	if got := closedBy(t, other, slack); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Fatalf("another client: %q", got)
	}

	held[0].Close()
	again := func() bool {
		c := clientConn(t, addr, "203.0.113.9")
		io.WriteString(c, "GET /x HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
		return strings.HasPrefix(closedBy(t, c, slack), "HTTP/1.1 200 ")
	}
	// The server notices the close when its read of the next request
	// fails, which may be a moment after our Close returns.
	testenv.Eventually(t, slack, func() error {
		if !again() {
			return errors.New("the client was not admitted again after closing a connection")
		}
		return nil
	})
}
