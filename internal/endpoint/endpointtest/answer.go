package endpointtest

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Answer is what a test got back from an API: enough to check it against
// the conventions of internal/endpoint.
type Answer struct {
	// Request names the request in failure messages ("POST /v1/enroll").
	Request string
	Status  int
	Header  http.Header
	Body    []byte
	// Shown is what a failure message may print of the body: an error's
	// body holds no secret, any other answer's may (a token, a code).
	Shown string
}

// WantError checks that a is status with the body {"error": msg} as JSON,
// as endpoint.Error writes it. An empty msg accepts any message.
func (a Answer) WantError(t testing.TB, status int, msg string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("%s: status %d %s, want %d %q", a.Request, a.Status, a.Shown, status, msg)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", a.Request, ct)
	}
	var e map[string]any
	if err := json.Unmarshal(a.Body, &e); err != nil {
		t.Fatalf("%s: error body is not JSON: %s", a.Request, a.Shown)
	}
	got, ok := e["error"].(string)
	if !ok || len(e) != 1 {
		t.Fatalf(`%s: error body %s, want {"error": string}`, a.Request, a.Shown)
	}
	if msg != "" && got != msg {
		t.Errorf("%s: error %q, want %q", a.Request, got, msg)
	}
}
