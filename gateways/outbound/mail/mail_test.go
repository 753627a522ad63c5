package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
)

func TestSubjects(t *testing.T) {
	t.Parallel()
	want := map[mail.Purpose]string{
		mail.PurposeSignup:         "Your Wardnet sign-up code",
		mail.PurposePasswordReset:  "Your Wardnet password-reset code",
		mail.PurposePasswordChange: "Confirm your Wardnet password change",
		mail.PurposeEnrollment:     "Your Wardnet enrollment code",
	}
	for p, s := range want {
		if p.Subject() != s || !p.Valid() {
			t.Errorf("%s: subject %q, want %q", p, p.Subject(), s)
		}
	}
	if mail.Purpose("enroll").Valid() || mail.Purpose("").Valid() {
		t.Error("unknown purpose is valid")
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"alice@example.com": "a***@example.com",
		"é@example.org":     "é***@example.org",
		"nobody":            "***",
		"@example.com":      "***",
		"alice@":            "***",
		"":                  "***",
	} {
		if got := mail.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := mail.Code{To: "alice@example.com", Code: "ABC234", Purpose: mail.PurposeSignup}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]mail.Code{
		"purpose":      {To: ok.To, Code: ok.Code, Purpose: "enroll"},
		"empty code":   {To: ok.To, Code: "", Purpose: ok.Purpose},
		"code space":   {To: ok.To, Code: "ABC 234", Purpose: ok.Purpose},
		"code newline": {To: ok.To, Code: "ABC234\n", Purpose: ok.Purpose},
		"display name": {To: "Alice <alice@example.com>", Code: ok.Code, Purpose: ok.Purpose},
		"no address":   {To: "alice", Code: ok.Code, Purpose: ok.Purpose},
		"header":       {To: "alice@example.com\r\nBcc: x@example.com", Code: ok.Code, Purpose: ok.Purpose},
	} {
		err := c.Validate()
		if !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.Code != "" && strings.Contains(err.Error(), c.Code) {
			t.Errorf("%s: error %q contains the code", name, err)
		}
	}
}

func TestDevSenderLogsCodeNotAddress(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s, err := mail.New(mail.ResendOptions{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, isDev := s.(*mail.Dev); !isDev || !s.Echoes() {
		t.Fatalf("New without a key = %T (echoes %v), want the echoing dev sender", s, s.Echoes())
	}
	err = s.Send(context.Background(), mail.Code{To: "alice@example.com", Code: "K7MQ2Z", Purpose: mail.PurposeEnrollment})
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"code issued"`, `"purpose":"enrollment"`, `"code":"K7MQ2Z"`, `"to":"a***@example.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s lacks %s", out, want)
		}
	}
	if strings.Contains(out, "alice@") {
		t.Errorf("log holds the full address: %s", out)
	}
	if err := s.Send(context.Background(), mail.Code{To: "x", Code: "K7MQ2Z", Purpose: mail.PurposeSignup}); !errors.Is(err, mail.ErrInvalid) {
		t.Fatalf("invalid code: %v", err)
	}
}
