package endpoint_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/refusal"
)

// A refusal is answered with its kind's status and its message only; its
// cause goes to the debug log. Anything else is left to the caller.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		err        error
		handled    bool
		status     int
		body       string
		retryAfter string
	}{
		{fmt.Errorf("op: %w", refusal.New(refusal.Conflict, "slug is taken", errors.New("cause"))), true, 409, `{"error":"slug is taken"}`, ""},
		{&refusal.Error{Kind: refusal.RateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond}, true, 429, `{"error":"slow down"}`, "2"},
		{refusal.New(refusal.Unauthorized, "invalid code", nil), true, 401, `{"error":"invalid code"}`, ""},
		{&refusal.Error{Kind: refusal.Unavailable, Message: "busy", RetryAfter: time.Second}, true, 503, `{"error":"busy"}`, "1"},
		{refusal.New(99, "secret detail", nil), false, 0, "", ""},
		{errors.New("disk full"), false, 0, "", ""},
	} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/x", nil)
		if got := endpoint.Refused(log, w, r, tc.err); got != tc.handled {
			t.Errorf("%v: handled %v", tc.err, got)
			continue
		}
		if !tc.handled {
			if w.Body.Len() != 0 {
				t.Errorf("%v: answered %q", tc.err, w.Body)
			}
			continue
		}
		if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.body || w.Header().Get("Retry-After") != tc.retryAfter {
			t.Errorf("%v: %d %q Retry-After %q", tc.err, w.Code, w.Body, w.Header().Get("Retry-After"))
		}
		if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "request refused") {
			t.Errorf("%v: logged %q", tc.err, logs.String())
		}
	}
}

func TestStatusOfEveryKind(t *testing.T) {
	want := map[refusal.Kind]int{
		refusal.BadRequest: 400, refusal.Unauthorized: 401, refusal.Forbidden: 403,
		refusal.NotFound: 404, refusal.Conflict: 409, refusal.RateLimited: 429, refusal.Unavailable: 503, 0: 500, 99: 500,
	}
	for k, s := range want {
		if got := endpoint.Status(k); got != s {
			t.Errorf("Status(%v) = %d, want %d", k, got, s)
		}
	}
}
