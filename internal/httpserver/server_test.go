package httpserver_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/httpserver"
)

func TestDefaultLimitsAreValid(t *testing.T) {
	t.Parallel()
	if err := httpserver.DefaultLimits().Validate(); err != nil {
		t.Fatal(err)
	}
	l := httpserver.DefaultLimits()
	// The 1 MiB body cap must fit at a slow but honest rate: 1 MiB within
	// the read timeout is at least 17 KiB/s, a 2G-class link.
	if rate := float64(1<<20) / l.ReadTimeout.Seconds(); rate > 20<<10 {
		t.Errorf("a 1 MiB body needs %.0f B/s within the read timeout", rate)
	}
}

// serve runs h behind a server with limits l on a loopback listener.
func serve(t *testing.T, l httpserver.Limits, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(h, l, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// A LongLived handler (a long poll) answers after the server's read and
// write timeouts have passed; the same handler without it is cut off. A
// WebSocket upgrade needs no LongLived: net/http clears the deadlines of
// a connection it hands over (Hijack).
func TestLongLivedOutlivesTheTimeouts(t *testing.T) {
	t.Parallel()
	l := httpserver.DefaultLimits()
	l.ReadHeaderTimeout, l.ReadTimeout, l.WriteTimeout = 200*time.Millisecond, 200*time.Millisecond, 300*time.Millisecond
	poll := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * l.WriteTimeout):
			io.WriteString(w, "news")
		case <-r.Context().Done():
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/long", httpserver.LongLived(poll))
	mux.Handle("/short", poll)
	addr := serve(t, l, mux)

	get := func(path string) (string, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if got, err := get("/long"); err != nil || got != "news" {
		t.Errorf("LongLived: %q, %v", got, err)
	}
	if got, err := get("/short"); err == nil {
		t.Errorf("without LongLived the answer came after the timeouts: %q", got)
	}
}

func TestValidateNamesTheVariables(t *testing.T) {
	t.Parallel()
	l := httpserver.Limits{ReadTimeout: time.Second, WriteTimeout: time.Second, ReadHeaderTimeout: 2 * time.Second, MaxHeaderBytes: 10}
	err := l.Validate()
	for _, want := range []string{
		"WARDNET_HTTP_IDLE_TIMEOUT must be positive",
		"WARDNET_HTTP_READ_HEADER_TIMEOUT (2s) must not exceed WARDNET_HTTP_READ_TIMEOUT (1s)",
		"WARDNET_HTTP_WRITE_TIMEOUT (1s) must be longer than WARDNET_HTTP_READ_TIMEOUT (1s)",
		"WARDNET_HTTP_MAX_HEADER_BYTES must be 4096 to 1048576, got 10",
		"WARDNET_HTTP_MAX_CONNS_PER_CLIENT must be at least 1, got 0",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
}
