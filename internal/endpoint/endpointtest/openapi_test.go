package endpointtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var greetings = NewSpec("testdata/greetings.yaml")

// recorder is a testing.TB that keeps what a check reported.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// answer is the exchange of a POST /v1/greetings answered status with
// body, both readable.
func answer(status int, body string) (*http.Request, *http.Response) {
	req := httptest.NewRequest("POST", "/v1/greetings", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	resp := &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    req,
	}
	return req, resp
}

func TestConforms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"declared", 200, `{"greeting":"hello"}`, true},
		{"declared error", 400, `{"error":"missing field \"name\""}`, true},
		{"wrong body", 200, `{"greeting":7}`, false},
		{"undeclared status", 500, `{"error":"internal server error"}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			req, resp := answer(c.status, c.body)
			greetings.Conforms(rec, req, resp, "(shown)")
			if c.ok != (len(rec.errors) == 0) {
				t.Fatalf("reported %q", rec.errors)
			}
			if !c.ok && !strings.Contains(rec.errors[0], "POST /v1/greetings → "+fmt.Sprint(c.status)+" (shown) does not conform to testdata/greetings.yaml") {
				t.Errorf("report %q", rec.errors[0])
			}
		})
	}
}

func TestCheckDocument(t *testing.T) {
	t.Parallel()
	greetings.CheckDocument(t)
}
