package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail/mailtest"
)

const apiKey = "re_test_9f8e7d6c5b4a39281706"

// logSink collects every record of a sender.
func logSink() (*bytes.Buffer, *slog.Logger) {
	var b bytes.Buffer
	return &b, slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newResend(t *testing.T, opts mail.ResendOptions) *mail.Resend {
	t.Helper()
	r, err := mail.NewResend(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// noSecrets fails the test if s contains the key, the code or the address.
func noSecrets(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%s contains %q: %s", what, secret, s)
		}
	}
}

func TestResendSendsEveryPurpose(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewServer(t, apiKey)
	logs, logger := logSink()
	s := newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: fake.URL, Logger: logger})
	if s.Echoes() {
		t.Fatal("the Resend sender echoes codes")
	}
	codes := map[mail.Purpose]string{
		mail.PurposeSignup:         "ABCD23",
		mail.PurposePasswordReset:  "EFGH45",
		mail.PurposePasswordChange: "JKLM67",
		mail.PurposeEnrollment:     "NPQR89",
	}
	for p, code := range codes {
		to := string(p) + "@example.com"
		if err := s.Send(context.Background(), mail.Code{To: to, Code: code, Purpose: p}); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		m, ok := fake.Last(to)
		if !ok {
			t.Fatalf("%s: nothing recorded", p)
		}
		if m.Subject != p.Subject() || m.From != mail.DefaultFrom || len(m.To) != 1 || m.To[0] != to {
			t.Fatalf("%s: recorded %+v", p, m)
		}
		if !strings.Contains(m.HTML, code) || !strings.Contains(m.Text, code) {
			t.Fatalf("%s: code missing from the bodies", p)
		}
		if got := fake.MustLastCode(t, to); got != code {
			t.Fatalf("%s: LastCode = %q, want %q", p, got, code)
		}
		noSecrets(t, "logs", logs.String(), apiKey, code, to)
	}
	if n := len(fake.Messages()); n != len(codes) {
		t.Fatalf("recorded %d mails, want %d", n, len(codes))
	}
	if !regexp.MustCompile(`"msg":"code mail sent".*"resend_id":"[0-9a-f-]{36}"`).MatchString(logs.String()) {
		t.Fatalf("no sent record with Resend's id: %s", logs.String())
	}
}

func TestResendOptions(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewServer(t, apiKey)
	s := newResend(t, mail.ResendOptions{
		APIKey:  apiKey,
		BaseURL: fake.URL + "/",
		From:    "Wardnet Dev <dev@example.net>",
		LogoURL: "https://cdn.example.net/logo.png?a=1&b=2",
	})
	if err := s.Send(context.Background(), mail.Code{To: "a@example.com", Code: "ABC234", Purpose: mail.PurposeSignup}); err != nil {
		t.Fatal(err)
	}
	m, _ := fake.Last("A@EXAMPLE.COM")
	if m.From != "Wardnet Dev <dev@example.net>" {
		t.Fatalf("from = %q", m.From)
	}
	if !strings.Contains(m.HTML, `src="https://cdn.example.net/logo.png?a=1&amp;b=2"`) {
		t.Fatalf("logo missing or unescaped: %s", m.HTML)
	}

	for name, o := range map[string]mail.ResendOptions{
		"no key":      {},
		"key space":   {APIKey: "re_ x"},
		"base scheme": {APIKey: apiKey, BaseURL: "ftp://example.com"},
		"base host":   {APIKey: apiKey, BaseURL: "https://"},
		"logo":        {APIKey: apiKey, LogoURL: "javascript:alert(1)"},
	} {
		if _, err := mail.NewResend(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestResendRefusals(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewServer(t, apiKey)
	msg := mail.Code{To: "bob@example.com", Code: "XYZ234", Purpose: mail.PurposePasswordReset}

	cases := []struct {
		name      string
		key       string
		fail      int
		status    int
		errName   string
		temporary bool
	}{
		{name: "wrong key", key: "re_wrong_key_123456", status: 403, errName: "invalid_api_key"},
		{name: "rate limit", key: apiKey, fail: 429, status: 429, errName: "rate_limit_exceeded", temporary: true},
		{name: "server error", key: apiKey, fail: 500, status: 500, errName: "internal_server_error", temporary: true},
	}
	for _, c := range cases {
		logs, logger := logSink()
		s := newResend(t, mail.ResendOptions{APIKey: c.key, BaseURL: fake.URL, Logger: logger})
		if c.fail != 0 {
			fake.FailNext(c.fail, 1)
		}
		err := s.Send(context.Background(), msg)
		var re *mail.ResendError
		if !errors.As(err, &re) {
			t.Fatalf("%s: error %v is not a *ResendError", c.name, err)
		}
		if re.Status != c.status || re.Name != c.errName || re.Message == "" || re.Temporary() != c.temporary {
			t.Fatalf("%s: %+v", c.name, re)
		}
		if c.status == 429 && re.RetryAfter != time.Second {
			t.Fatalf("%s: RetryAfter = %s", c.name, re.RetryAfter)
		}
		noSecrets(t, c.name+" error", err.Error(), c.key, msg.Code, msg.To)
		noSecrets(t, c.name+" logs", logs.String(), c.key, msg.Code, msg.To)
		if logs.Len() != 0 {
			t.Errorf("%s: a failed send logged (the caller logs the error): %s", c.name, logs.String())
		}
	}
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("refused mails were recorded: %d", n)
	}
	// After the injected failures the server accepts again.
	if err := newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: fake.URL}).Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

// A server (or proxy) that echoes the key in its answer does not get it
// into the error.
func TestResendRedactsEchoedKey(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"statusCode":400,"name":"validation_error","message":"bad header ` + r.Header.Get("Authorization") + `"}`))
	}))
	defer srv.Close()
	err := newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: srv.URL}).
		Send(context.Background(), mail.Code{To: "bob@example.com", Code: "XYZ234", Purpose: mail.PurposeSignup})
	var re *mail.ResendError
	if !errors.As(err, &re) || re.Status != 400 {
		t.Fatalf("err = %v", err)
	}
	noSecrets(t, "error", err.Error(), apiKey)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("error %q lost Resend's message", err)
	}

	// A body that is not Resend's format still gives a useful error.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream broke", http.StatusBadGateway)
	}))
	defer plain.Close()
	err = newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: plain.URL}).
		Send(context.Background(), mail.Code{To: "bob@example.com", Code: "XYZ234", Purpose: mail.PurposeSignup})
	if !errors.As(err, &re) || re.Status != 502 || !re.Temporary() {
		t.Fatalf("err = %v", err)
	}
}

func TestResendHonoursContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: srv.URL}).
		Send(ctx, mail.Code{To: "bob@example.com", Code: "XYZ234", Purpose: mail.PurposeSignup})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("hung server: %v after %s", err, time.Since(start))
	}
	noSecrets(t, "error", err.Error(), apiKey, "XYZ234", "bob@")
}
