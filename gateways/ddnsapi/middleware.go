package ddnsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/nats-io/nuid"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// The request log, panic recovery and body cap are those of the tenants
// API (gateways/httpapi), so that both services' logs read alike.

// HeaderRequestID names the response header that carries the request's id,
// the request_id of its log lines.
const HeaderRequestID = "X-Request-Id"

type requestIDKey struct{}

// requestID is the id the request log gave the request in ctx.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ctxHandler adds the request id from the record's context to every log
// line, so that lines written while serving a request can be joined with
// its request log line.
type ctxHandler struct{ slog.Handler }

func (h ctxHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := requestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h ctxHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ctxHandler{h.Handler.WithAttrs(as)}
}

func (h ctxHandler) WithGroup(name string) slog.Handler {
	return ctxHandler{h.Handler.WithGroup(name)}
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives every request an id and logs one line when it is
// answered: method, route pattern, status, duration and id. It never logs
// the path, headers or bodies, where the credentials and addresses are.
func (a *api) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := a.now()
		id := nuid.Next()
		w.Header().Set(HeaderRequestID, id)
		// r2 is ours: the router records the matched pattern in it. A mux
		// in front (the service mounts the API at "/") has set its own.
		r2 := r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		r2.Pattern = ""
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r2)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := r2.Pattern
		if route == "" {
			route = "unmatched"
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		a.log.LogAttrs(r2.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", a.now().Sub(start)),
		)
	})
}

// recoverPanics turns a handler's panic into a 500, logged with its stack.
// http.ErrAbortHandler keeps its meaning: abort the response silently.
func (a *api) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // compared as a value, as net/http does
				panic(v)
			}
			a.log.ErrorContext(r.Context(), "handler panicked",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.status == 0 {
				writeError(sw, http.StatusInternalServerError, msgInternal)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// limitBody reads the whole body, at most authn.MaxBodyBytes, before
// anything else looks at the request, and answers 413 beyond that, on
// every route alike. The body stays in memory (authn.ReadBody), where the
// authentication middleware and the handlers read it.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := authn.ReadBody(r); err != nil {
			if errors.Is(err, authn.ErrBodyTooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, msgTooLarge)
				return
			}
			writeError(w, http.StatusBadRequest, msgUnreadable)
			return
		}
		next.ServeHTTP(w, r)
	})
}
