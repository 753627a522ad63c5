package endpoint

import (
	"context"
	"log/slog"
)

// HeaderRequestID names the response header that carries the request's id,
// the request_id of its log lines.
const HeaderRequestID = "X-Request-Id"

type requestIDKey struct{}

// RequestID is the id LogRequests gave the request in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns ctx with id as its request id, as LogRequests
// sets it: for tests, and for work done on a request's behalf outside
// its handler.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// Logger returns base with the request id of each record's context added
// to every line as request_id, so that the lines written while serving a
// request can be joined with its request log line. A logger it returned
// is returned as is.
func Logger(base *slog.Logger) *slog.Logger {
	if _, ok := base.Handler().(requestIDHandler); ok {
		return base
	}
	return slog.New(requestIDHandler{base.Handler()})
}

// requestIDHandler is Logger's handler.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
