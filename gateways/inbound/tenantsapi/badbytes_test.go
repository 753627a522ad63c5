package tenantsapi_test

// Bad bytes are refused at the edge: text that would fail further in (a
// NUL or invalid UTF-8 in a Postgres query, a line break in a mail header)
// is answered 400 with a JSON error, never 500.

import (
	"net/http"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
)

// The messages of the refusals, as the API words them.
const (
	msgInvalidEmail   = "invalid email"
	msgBodyNUL        = `a string in the request body holds the escape \u0000 (NUL) at byte 13`
	msgBodyNotUTF8    = "the request body is not valid UTF-8 at byte 13"
	msgBodySurrogate  = "a string in the request body holds an unpaired UTF-16 surrogate escape at byte 13"
	msgBadPath        = "the request path holds a control character or invalid UTF-8"
	msgBadSlugInQuery = `query parameter "slug" holds a control character or invalid UTF-8`
)

// An email that is not safe in a mail header is refused by the API (400),
// not by the mail layer after it (500); so is a body that encoding/json
// would have passed on with a NUL or a U+FFFD the client did not send.
func TestBadEmailBytesAre400(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, c := range []struct {
		name, email string // email is JSON string content, as sent
		want        string
	}{
		{"CR", `alice\r@example.com`, msgInvalidEmail},
		{"LF", `alice@exam\nple.com`, msgInvalidEmail},
		{"CRLF header injection", `alice@example.com\r\nBcc: mallory@example.net`, msgInvalidEmail},
		{"less than", `Alice <alice@example.com`, msgInvalidEmail},
		{"greater than", `alice>@example.com`, msgInvalidEmail},
		{"NUL escape", `al\u0000ice@example.com`, msgBodyNUL},
		{"raw invalid UTF-8", "al\xffice@example.com", msgBodyNotUTF8},
		{"lone surrogate escape", `al\ud800ice@example.com`, msgBodySurrogate},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := `{"email":"` + c.email + `","purpose":"signup"}`
			r := s.do(t, call{method: "POST", path: "/v1/verification-codes", body: []byte(body)})
			r.wantError(t, http.StatusBadRequest, c.want)
			r.conforms(t)
		})
	}
}

// A path or query parameter with a NUL, another control character or
// invalid UTF-8 is answered 400 before any route runs, authenticated
// caller or not.
func TestBadURLBytesAre400(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	user := s.userToken(t, ids.New[ids.TenantID]().String())
	for _, c := range []struct {
		name, path, want string
	}{
		{"NUL as a network id", "/v1/networks/%00/daemons", msgBadPath},
		{"invalid UTF-8 as a network id", "/v1/networks/%ff/daemons", msgBadPath},
		{"CR LF in a tenant id", "/v1/tenants/a%0D%0Ab/networks", msgBadPath},
		{"NUL in a slug in the query", "/v1/availability?slug=a%00b", msgBadSlugInQuery},
		{"invalid UTF-8 in a slug in the query", "/v1/availability?slug=%C3", msgBadSlugInQuery},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, call{method: "GET", path: c.path, bearer: user})
			r.wantError(t, http.StatusBadRequest, c.want)
			r.conforms(t)
		})
	}
	// The same routes with good bytes are answered as before.
	r := s.do(t, call{method: "GET", path: "/v1/availability?slug=caf%C3%A9", bearer: user})
	var got struct{ Available bool }
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	if got.Available {
		t.Error("a slug with UTF-8 is available")
	}
	r = s.do(t, call{method: "GET", path: "/v1/networks/" + ids.New[ids.NetworkID]().String() + "/daemons", bearer: user})
	r.wantError(t, http.StatusNotFound, "network not found")
	r.conforms(t)
}

// mailableEmails are inputs to ParseEmail, internationalised ones among
// them, and whether it accepts them; the seeds of
// FuzzParseEmailIsMailable.
var mailableEmails = []struct {
	in       string
	accepted bool
}{
	{"you@example.com", true},
	{"a+b@x.io", true},
	{"  Alice@Example.COM ", true},
	{"a@b", true},
	{"first.last@mail.example.co.uk", true},
	{"o'brien!#$%&*/=?^_`{|}~-x@example.com", true},
	{"é@example.org", true},
	{"JOSÉ@Bücher.Example", true},
	{"用户@例子.广告", true},
	{"a@xn--bcher-kva.example", true},
	{"\tbob@example.com\r\n", true},
	{"a\r\nbcc@example.com", false},
	{"Alice <a@example.com>", false},
	{"a..b@example.com", false},
	{"a@example.com.", false},
	{`"a b"@example.com`, false},
	{"a@[127.0.0.1]", false},
	{"a\u0085b@example.com", false},
	{"a\u202eb@example.com", false},
}

// Everything ParseEmail accepts, the mail layer accepts as a recipient, so
// that a code the API agreed to issue is never refused by the sender.
func TestParseEmailIsMailable(t *testing.T) {
	t.Parallel()
	for _, c := range mailableEmails {
		if got := wantMailable(t, c.in); got != c.accepted {
			t.Errorf("ParseEmail(%q) accepted %v, want %v", c.in, got, c.accepted)
		}
	}
}

func FuzzParseEmailIsMailable(f *testing.F) {
	for _, c := range mailableEmails {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) { wantMailable(t, in) })
}

// wantMailable reports whether ParseEmail accepts in, and fails t if the
// mail layer (mail.Code.Validate, which every Sender runs) refuses what it
// accepted.
func wantMailable(t *testing.T, in string) bool {
	t.Helper()
	e, err := personal.ParseEmail(in)
	if err != nil {
		return false
	}
	msg := mail.Code{To: e.String(), Code: "ABC234", Purpose: mail.PurposeSignup}
	if err := msg.Validate(); err != nil {
		t.Errorf("ParseEmail(%q) accepted %q, which the mail layer refuses: %v", in, e, err)
	}
	return true
}
