package endpoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"time"

	"github.com/nats-io/nuid"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// Wrap returns h behind the middleware every public API has, in this
// order: the request log, panic recovery, the refusal of bad bytes in the
// URL and the body cap. log gets the request log and the panics; now is
// the clock of the request log's durations.
//
// RefuseBadURLText comes after the log and the recovery, so that its 400
// has a request id and a log line like every answer, and before the body
// cap, so that a request refused for its URL is refused before its body
// is read into memory.
func Wrap(log *slog.Logger, now func() time.Time, h http.Handler) http.Handler {
	return LogRequests(log, now, RecoverPanics(log, RefuseBadURLText(LimitBody(h))))
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

// LogRequests gives every request an id, in the HeaderRequestID response
// header and in the request's context (RequestID), and logs one line to
// log when it is answered: method, route pattern, status, duration and
// id; at warn for a 5xx. It never logs the path (it holds ids, slugs and
// addresses), headers or bodies, where the credentials are. The route is
// the pattern of the ServeMux inside that served the request, or
// "unmatched".
func LogRequests(log *slog.Logger, now func() time.Time, next http.Handler) http.Handler {
	log = Logger(log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := now()
		id := nuid.Next()
		w.Header().Set(HeaderRequestID, id)
		// r2 is ours: the router records the matched pattern in it. A mux
		// in front (a service mounts its API at "/") has set its own.
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
		log.LogAttrs(r2.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", now().Sub(start)),
		)
	})
}

// RecoverPanics turns a handler's panic into a 500, logged to log with its
// stack; a panic after the answer has begun is logged and the answer left
// as it is. http.ErrAbortHandler keeps its meaning: abort the response
// silently.
func RecoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	log = Logger(log)
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
			log.ErrorContext(r.Context(), "handler panicked",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.status == 0 {
				WriteError(sw, http.StatusInternalServerError, MsgInternal)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// LimitBody reads the whole body, at most authn.MaxBodyBytes, before
// anything else looks at the request, and answers 413 beyond that, on
// every route alike (400 when the body cannot be read). The body stays in
// memory (authn.ReadBody), where the authentication middleware and the
// handlers read it as often as they need: once to check a signature over
// it, once to decode it.
func LimitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Behind LogRequests, r is its copy, not the server's: ReadBody
		// may replace its body.
		if _, err := authn.ReadBody(r); err != nil {
			if errors.Is(err, authn.ErrBodyTooLarge) {
				WriteError(w, http.StatusRequestEntityTooLarge, msgTooLarge)
				return
			}
			WriteError(w, http.StatusBadRequest, MsgUnreadable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Messages of RefuseBadURLText.
const (
	msgBadPath       = "the request path holds a control character or invalid UTF-8"
	msgBadQueryName  = "a query parameter name holds a control character or invalid UTF-8"
	msgBadQuery      = "a query parameter holds a control character or invalid UTF-8"
	msgBadQueryValue = "query parameter %q holds a control character or invalid UTF-8"
)

// maxNamedParameter bounds a query parameter's name worth quoting in an
// answer; a longer one is not a parameter of ours.
const maxNamedParameter = 32

// RefuseBadURLText answers 400 to a request whose decoded path, or a
// decoded query parameter's name or value, holds an ASCII control
// character (NUL, CR, LF, TAB, DEL among them) or invalid UTF-8: no route,
// id, slug or hostname of ours holds one, and a handler passing it on
// would fail further in (Postgres refuses NUL and invalid UTF-8) with a
// 500. The message names a value's parameter, never what it holds.
// Everything else passes untouched: the request, its escaped path (a %2F
// stays an escaped slash for the router) and its query as sent.
func RefuseBadURLText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := badURLText(r.URL); msg != "" {
			WriteError(w, http.StatusBadRequest, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badURLText is RefuseBadURLText's answer to u, or "" when u is fine. The
// query is read as url.Query reads it, as the handlers do: a pair whose
// escape does not decode is dropped there, and not refused here.
func badURLText(u *url.URL) string {
	if !cleanText(u.Path) {
		return msgBadPath
	}
	q := u.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) { // the same answer every time
		switch {
		case !cleanText(name):
			return msgBadQueryName
		case !slices.ContainsFunc(q[name], func(v string) bool { return !cleanText(v) }):
			continue
		case len(name) > maxNamedParameter:
			return msgBadQuery
		default:
			return fmt.Sprintf(msgBadQueryValue, name)
		}
	}
	return ""
}
