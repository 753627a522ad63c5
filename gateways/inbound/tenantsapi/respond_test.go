package tenantsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

func testAPI(log *bytes.Buffer) *api {
	return &api{
		log: endpoint.Logger(slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		now: time.Now,
		mux: http.NewServeMux(),
	}
}

// fail is the one place errors become statuses: every kind of refusal
// gets the contract's status and its own message; everything else is a
// 500 that says nothing.
func TestFailMapsErrors(t *testing.T) {
	t.Parallel()
	refused := func(k tenants.Kind, msg string) error {
		// Wrapped, as a command's caller may receive it.
		return fmt.Errorf("register network: %w", &tenants.Error{Kind: k, Message: msg, Err: errors.New("domain detail")})
	}
	for _, c := range []struct {
		name       string
		err        error
		notFound   string
		status     int
		body       string
		retryAfter string
		logged     string // a fragment of the log, "" for none checked
	}{
		{"bad request", refused(tenants.BadRequest, "invalid slug"), "", 400, `{"error":"invalid slug"}`, "", ""},
		{"unauthorized", refused(tenants.Unauthorized, "invalid or expired code"), "", 401, `{"error":"invalid or expired code"}`, "", ""},
		{"forbidden", refused(tenants.Forbidden, "tenant has no active subscription"), "", 403, `{"error":"tenant has no active subscription"}`, "", ""},
		{"not found", refused(tenants.NotFound, "tenant not found"), "", 404, `{"error":"tenant not found"}`, "", ""},
		{"conflict", refused(tenants.Conflict, "slug is already taken"), "", 409, `{"error":"slug is already taken"}`, "", ""},
		{"rate limited", &tenants.Error{Kind: tenants.RateLimited, Message: "too many login attempts; try again later", RetryAfter: 90500 * time.Millisecond},
			"", 429, `{"error":"too many login attempts; try again later"}`, "91", ""},
		{"rate limited, no wait", &tenants.Error{Kind: tenants.RateLimited, Message: "slow down"}, "", 429, `{"error":"slow down"}`, "1", ""},
		{"unknown kind", &tenants.Error{Kind: 99, Message: "secret detail"}, "", 500, `{"error":"internal server error"}`, "", "secret detail"},
		{"behind", fmt.Errorf("read: %w", tenancy.ErrBehind), "", 503, `{"error":"read model is catching up; retry"}`, "1", "behind"},
		{"not found in read model", fmt.Errorf("read: %w", tenancy.ErrNotFound), "network not found", 404, `{"error":"network not found"}`, "", ""},
		{"not found where unexpected", tenancy.ErrNotFound, "", 500, `{"error":"internal server error"}`, "", "tenancy: not found"},
		{"internal", errors.New("pq: connection refused at 10.0.0.7"), "", 500, `{"error":"internal server error"}`, "", "10.0.0.7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			a := testAPI(&log)
			w := httptest.NewRecorder()
			r := httptest.NewRequestWithContext(endpoint.WithRequestID(context.Background(), "rid-1"), "GET", "/x", nil)
			a.fail(w, r, c.err, c.notFound)
			if w.Code != c.status || strings.TrimSpace(w.Body.String()) != c.body {
				t.Errorf("answer %d %s, want %d %s", w.Code, w.Body, c.status, c.body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := w.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, c.retryAfter)
			}
			if c.logged != "" {
				if !strings.Contains(log.String(), c.logged) || !strings.Contains(log.String(), `"request_id":"rid-1"`) {
					t.Errorf("log %q lacks %q or the request id", log.String(), c.logged)
				}
			}
		})
	}
}

// A client that went away is not an error worth a stack of alerts.
func TestFailOnCanceledRequestIsNotAnError(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	a := testAPI(&log)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/x", nil)
	a.fail(httptest.NewRecorder(), r, fmt.Errorf("query: %w", context.Canceled), "")
	if strings.Contains(log.String(), `"level":"ERROR"`) {
		t.Errorf("canceled request logged as an error: %s", log.String())
	}
}
