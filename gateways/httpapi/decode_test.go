package httpapi

import (
	"regexp"
	"testing"
)

type decodeTarget struct {
	Email  *string `json:"email"`
	Flag   *bool   `json:"flag"`
	Count  *int    `json:"count"`
	Nested *struct {
		Name *string `json:"name"`
	} `json:"nested"`
}

func TestDecodeBytes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`{"email":"a@b.c"}`, ""},
		{`{"email":"a@b.c","unknown":[1,{"x":null}]}`, ""},
		{` {"email":"a@b.c"} ` + "\n", ""},
		{`{}`, ""},
		{`null`, ""}, // all fields missing: the handler's require says which
		{``, "request body must be a JSON object"},
		{`[]`, "request body must be a JSON object"},
		{`true`, "request body must be a JSON object"},
		{`{`, "malformed JSON in the request body at byte 1"},
		{`{"email":"a@b.c"`, "malformed JSON in the request body at byte 16"},
		{`{"email" "x"}`, "malformed JSON in the request body at byte 10"},
		{`{"email":"x"}}`, "malformed JSON in the request body at byte 14"},
		{"{\"email\":\"\xff\"}", ""}, // invalid UTF-8 becomes U+FFFD, as encoding/json does
		{`{"email":1}`, `field "email" must be a string`},
		{`{"flag":"yes"}`, `field "flag" must be a boolean`},
		{`{"count":"1"}`, `field "count" must be a number`},
		{`{"count":1.5}`, `field "count" must be a number`},
		{`{"nested":{"name":2}}`, `field "nested.name" must be a string`},
		{`{"nested":[]}`, `field "nested" must be of another type`},
	} {
		var v decodeTarget
		err := decodeBytes([]byte(c.in), &v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("decodeBytes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// decodeMessage is every message decodeBytes may give: none quotes the
// input, which may hold a password.
var decodeMessage = regexp.MustCompile(`^(request body must be a JSON object|malformed JSON in the request body( at byte \d+|: unexpected end)?|field "[a-z_.]*" must be (a string|a boolean|a number|of another type))$`)

func FuzzDecodeBytes(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.c"}`, `{`, `[]`, `{"email":1}`, `{"nested":{"name":2}}`, "", "null", `{"email":"x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v decodeTarget
		err := decodeBytes(in, &v)
		if err != nil && !decodeMessage.MatchString(err.Error()) {
			t.Fatalf("decodeBytes(%q): message %q is not one of the known forms", in, err.Error())
		}
	})
}
