package mailtest_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail/mailtest"
)

const key = "re_fake_123"

type answer struct {
	status int
	body   map[string]any
}

func post(t *testing.T, s *mailtest.Server, method, path, auth, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	a.status = resp.StatusCode
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return a
}

const good = `{"from":"wardnet <noreply@wardnet.io>","to":["alice@example.com"],"subject":"s","html":"<p>x</p>","text":"Your code:\n\nK7MQ2Z\n"}`

func TestAcceptsResendBodies(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t, key)
	a := post(t, s, "POST", "/emails", "Bearer "+key, good)
	id, _ := a.body["id"].(string)
	if a.status != 200 || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) || len(a.body) != 1 {
		t.Fatalf("answer %d %v", a.status, a.body)
	}
	// `to` may be one string, and text alone is enough.
	a = post(t, s, "POST", "/emails", "Bearer "+key, `{"from":"bob@example.com","to":"bob@example.com","subject":"s","text":"ABCDEF"}`)
	if a.status != 200 {
		t.Fatalf("answer %d %v", a.status, a.body)
	}
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[0].ID != id || msgs[0].To[0] != "alice@example.com" {
		t.Fatalf("messages %+v", msgs)
	}
	if code := s.MustLastCode(t, "Alice@Example.com"); code != "K7MQ2Z" {
		t.Fatalf("LastCode = %s", code)
	}
	if _, ok := s.LastCode("carol@example.com"); ok {
		t.Fatal("code for an address nothing was sent to")
	}
}

func TestRefusesLikeResend(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t, key)
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		errName                        string
	}{
		{"no key", "POST", "/emails", "", good, 401, "missing_api_key"},
		{"not bearer", "POST", "/emails", "Basic " + key, good, 401, "missing_api_key"},
		{"wrong key", "POST", "/emails", "Bearer re_other", good, 403, "invalid_api_key"},
		{"path", "POST", "/email", "Bearer " + key, good, 404, "not_found"},
		{"method", "GET", "/emails", "Bearer " + key, "", 405, "method_not_allowed"},
		{"json", "POST", "/emails", "Bearer " + key, `{"from":`, 422, "validation_error"},
		{"no from", "POST", "/emails", "Bearer " + key, `{"to":["a@example.com"],"subject":"s","text":"t"}`, 422, "missing_required_field"},
		{"no to", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","subject":"s","text":"t"}`, 422, "missing_required_field"},
		{"no subject", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":["a@example.com"],"text":"t"}`, 422, "missing_required_field"},
		{"no body", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":["a@example.com"],"subject":"s"}`, 422, "validation_error"},
		{"bad from", "POST", "/emails", "Bearer " + key, `{"from":"wardnet","to":["a@example.com"],"subject":"s","text":"t"}`, 422, "validation_error"},
		{"bad to", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":["nobody"],"subject":"s","text":"t"}`, 422, "validation_error"},
		{"empty to", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":[],"subject":"s","text":"t"}`, 422, "validation_error"},
		{"to type", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":7,"subject":"s","text":"t"}`, 422, "validation_error"},
		{"unknown field", "POST", "/emails", "Bearer " + key, `{"from":"a@example.com","to":["a@example.com"],"subject":"s","body":"t"}`, 422, "validation_error"},
	}
	for _, c := range cases {
		a := post(t, s, c.method, c.path, c.auth, c.body)
		if a.status != c.status || a.body["name"] != c.errName || a.body["statusCode"] != float64(c.status) || a.body["message"] == "" {
			t.Errorf("%s: %d %v, want %d %s", c.name, a.status, a.body, c.status, c.errName)
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("recorded %d refused mails", n)
	}
}

func TestInjectedFailures(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t, key)
	s.FailNext(429, 2)
	s.FailNext(500, 1)
	for _, want := range []int{429, 429, 500, 200} {
		if a := post(t, s, "POST", "/emails", "Bearer "+key, good); a.status != want {
			t.Fatalf("status %d, want %d (%v)", a.status, want, a.body)
		}
	}
	s.FailAll(503)
	for range 2 {
		if a := post(t, s, "POST", "/emails", "Bearer "+key, good); a.status != 503 {
			t.Fatalf("status %d, want 503", a.status)
		}
	}
	// Authentication comes first.
	if a := post(t, s, "POST", "/emails", "", good); a.status != 401 {
		t.Fatalf("status %d, want 401", a.status)
	}
	s.FailAll(0)
	if a := post(t, s, "POST", "/emails", "Bearer "+key, good); a.status != 200 {
		t.Fatalf("status %d after FailAll(0)", a.status)
	}
	if n := len(s.Messages()); n != 2 {
		t.Fatalf("recorded %d, want 2", n)
	}
}
