package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail/mailtest"
)

// The domain's purposes, each a purpose this package has a mail for.
var domainPurposes = []code.Purpose{code.PurposeSignup, code.PurposePasswordReset, code.PurposePasswordChange, code.PurposeEnrollment}

// SendCode, the tenants application's Mailer port, delivers the same mail
// as Send: through Resend, with the purpose's subject, to the address.
func TestResendSendCode(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewServer(t, apiKey)
	logs, logger := logSink()
	s := newResend(t, mail.ResendOptions{APIKey: apiKey, BaseURL: fake.URL, Logger: logger})
	for _, p := range domainPurposes {
		to := personal.Email(string(p) + "@example.com")
		c := code.New()
		if err := s.SendCode(context.Background(), to, c, p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		m, ok := fake.Last(string(to))
		if !ok {
			t.Fatalf("%s: nothing recorded", p)
		}
		if m.Subject != mail.Purpose(p).Subject() || m.Subject == "" || !strings.Contains(m.Text, "\n"+string(c)+"\n") {
			t.Errorf("%s: recorded %+v", p, m)
		}
		noSecrets(t, "log", logs.String(), apiKey, string(c), string(to))
	}
}

// The development sender logs what SendCode is given, as Send does.
func TestDevSendCode(t *testing.T) {
	t.Parallel()
	logs, logger := logSink()
	s := mail.NewDev(logger)
	if err := s.SendCode(context.Background(), "alice@example.com", "K7MQ2Z", code.PurposePasswordReset); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"code issued"`, `"purpose":"password_reset"`, `"code":"K7MQ2Z"`, `"to":"a***@example.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s lacks %s", out, want)
		}
	}
	if err := s.SendCode(context.Background(), "alice@example.com", "K7MQ2Z", "login"); err == nil {
		t.Error("a purpose without a mail was sent")
	}
}
