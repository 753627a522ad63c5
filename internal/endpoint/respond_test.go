package endpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Every JSON answer has the same bytes: the compact body and a line
// break, its length, and the JSON content type.
func TestWriteJSON(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusCreated, struct {
		ID   string  `json:"id"`
		Code *string `json:"code"`
	}{ID: "a<b"})
	want := `{"id":"a\u003cb","code":null}` + "\n"
	if w.Code != http.StatusCreated || w.Body.String() != want {
		t.Errorf("answer %d %q, want 201 %q", w.Code, w.Body, want)
	}
	if h := w.Header(); h.Get("Content-Type") != "application/json" || h.Get("Content-Length") != fmt.Sprint(len(want)) {
		t.Errorf("headers %v", h)
	}
}

// A value that does not marshal is an internal error, not half an answer.
func TestWriteJSONUnmarshalable(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusOK, math.Inf(1))
	want := `{"error":"internal server error"}` + "\n"
	if w.Code != 500 || w.Body.String() != want || w.Header().Get("Content-Length") != fmt.Sprint(len(want)) {
		t.Errorf("answer %d %q %v", w.Code, w.Body, w.Header())
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteError(w, http.StatusConflict, `slug "x" is taken`)
	want := `{"error":"slug \"x\" is taken"}` + "\n"
	if w.Code != http.StatusConflict || w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("answer %d %q %v", w.Code, w.Body, w.Header())
	}
}

// An internal error says nothing but "internal server error"; its cause
// goes to the log with the request id, as an error unless the client went
// away.
func TestInternalError(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(WithRequestID(context.Background(), "rid-1"))
	cancel()
	for _, c := range []struct {
		name  string
		ctx   context.Context
		err   error
		level string
		msg   string
	}{
		{"failure", WithRequestID(context.Background(), "rid-1"), errors.New("pq: connection refused at 10.0.0.7"), "ERROR", "request failed"},
		{"client gone", canceled, fmt.Errorf("query: %w", context.Canceled), "INFO", "request canceled by the client"},
		// Canceled, but not by this request's client: an error.
		{"canceled elsewhere", WithRequestID(context.Background(), "rid-1"), context.Canceled, "ERROR", "request failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := httptest.NewRecorder()
			InternalError(Logger(testLog(&buf)), w, httptest.NewRequestWithContext(c.ctx, "GET", "/x", nil), c.err)
			if w.Code != 500 || w.Body.String() != `{"error":"internal server error"}`+"\n" {
				t.Errorf("answer %d %q", w.Code, w.Body)
			}
			lines := logLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("log %s", buf.String())
			}
			m := lines[0]
			if m["level"] != c.level || m["msg"] != c.msg || m["err"] != c.err.Error() || m["request_id"] != "rid-1" {
				t.Errorf("log line %v", m)
			}
			if strings.Contains(w.Body.String(), "10.0.0.7") {
				t.Error("the cause was sent")
			}
		})
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0: "1", -time.Second: "1", time.Millisecond: "1", time.Second: "1",
		1001 * time.Millisecond: "2", 5 * time.Minute: "300",
	} {
		if got := RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%s) = %s, want %s", d, got, want)
		}
	}
}
