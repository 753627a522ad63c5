package httpserver

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/connlimit"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// New returns a server for h with limits l. Its ConnContext lets
// proxyproto.ClientIP find each request's client, and its error log (TLS
// handshakes, bad requests, hijacked connections) goes to log at warn.
func New(h http.Handler, l Limits, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ConnContext:       proxyproto.ConnContext,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Listen wraps ln so that no client holds more than counter's maximum of
// connections on it (counted together with every other listener of that
// counter); one more is answered 429 with a JSON error and closed, and
// logged to log.
func Listen(ln net.Listener, counter *connlimit.Counter, log *slog.Logger) net.Listener {
	return connlimit.Wrap(ln, counter, connlimit.Options{
		Refuse: func(c net.Conn, client netip.Addr) {
			log.Warn("connection refused: too many from one client",
				"client", proxyproto.ClientPrefix(client).String(), "max", counter.Max())
			_, _ = io.WriteString(c, tooManyConns)
		},
	})
}

// RetryAfterConns is the Retry-After of a refused connection, in seconds:
// one of the client's other connections is likely to end by then.
const RetryAfterConns = 1

// tooManyConns is the answer on a refused connection, written before its
// request is read (net/http answers a 431 the same way). Its body is the
// JSON error every API answers with.
var tooManyConns = func() string {
	body := `{"error":"too many connections from your address"}` + "\n"
	return "HTTP/1.1 429 Too Many Requests\r\n" +
		"Content-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Retry-After: " + strconv.Itoa(RetryAfterConns) + "\r\n" +
		"Connection: close\r\n\r\n" + body
}()

// LongLived wraps a handler that answers after the server's read and
// write timeouts (a long poll, a stream): it clears both deadlines of the
// request's connection before h runs, so h must bound itself (a long
// poll's wait, a stream's idle timeout). Headers are still bound by
// ReadHeaderTimeout and MaxHeaderBytes, and the connection still counts
// for MaxConnsPerClient. A WebSocket upgrade does not need it: net/http
// clears the deadlines of a connection it hands over (Hijack), and the
// WebSocket sets its own (ping timeouts).
func LongLived(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Time{}); err != nil {
			http.Error(w, fmt.Sprintf("clear read deadline: %v", err), http.StatusInternalServerError)
			return
		}
		if err := rc.SetWriteDeadline(time.Time{}); err != nil {
			http.Error(w, fmt.Sprintf("clear write deadline: %v", err), http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
}
