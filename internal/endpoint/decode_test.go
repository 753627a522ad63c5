package endpoint

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

type decodeTarget struct {
	Email  *string   `json:"email"`
	Flag   *bool     `json:"flag"`
	Count  *int      `json:"count"`
	Values *[]string `json:"values"`
	Nested *struct {
		Name *string `json:"name"`
		IDs  []int64 `json:"ids"`
	} `json:"nested"`
	Untagged *string
}

func TestDecodeBytes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`{"email":"a@b.c"}`, ""},
		{`{"email":"a@b.c","unknown":[1,{"x":null}]}`, ""},
		{` {"email":"a@b.c"} ` + "\n", ""},
		{`{}`, ""},
		{`null`, ""}, // all fields missing: the handler's Require says which
		{``, "request body must be a JSON object"},
		{`[]`, "request body must be a JSON object"},
		{`true`, "request body must be a JSON object"},
		{`"text"`, "request body must be a JSON object"},
		{`{`, "malformed JSON in the request body at byte 1"},
		{`{"email":"a@b.c"`, "malformed JSON in the request body at byte 16"},
		{`{"email" "x"}`, "malformed JSON in the request body at byte 10"},
		{`{"a":1,}`, "malformed JSON in the request body at byte 8"},
		{`{"email":"x"}}`, "malformed JSON in the request body at byte 14"},
		{`{"email":"x"} {}`, "malformed JSON in the request body at byte 15"},
		// Text encoding/json would alter or pass on as a NUL is refused.
		{"{\"email\":\"\xff\"}", "the request body is not valid UTF-8 at byte 11"},
		{`{"email":"a\u0000@b.c"}`, `a string in the request body holds the escape \u0000 (NUL) at byte 12`},
		{`{"email":"\ud800@b.c"}`, "a string in the request body holds an unpaired UTF-16 surrogate escape at byte 11"},
		{`{"email":"\\u0000 \ud83d\ude00 \ufffd"}`, ""},
		{`{"email":"\u0000"`, `a string in the request body holds the escape \u0000 (NUL) at byte 11`}, // before the syntax
		{`{"email":1}`, `field "email" must be a string`},
		{`{"email":{"x":1}}`, `field "email" must be a string`},
		{`{"flag":"yes"}`, `field "flag" must be a boolean`},
		{`{"count":"1"}`, `field "count" must be a number`},
		{`{"count":1.5}`, `field "count" must be a number`},
		{`{"values":"x"}`, `field "values" must be an array of strings`},
		{`{"values":[1]}`, `field "values" must be an array of strings`}, // the decoder names the element's type
		{`{"values":[["x"]]}`, `field "values" must be an array of strings`},
		{`{"nested":{"name":2}}`, `field "nested.name" must be a string`},
		{`{"nested":{"ids":["1"]}}`, `field "nested.ids" must be an array of numbers`},
		{`{"nested":[]}`, `field "nested" must be of another type`},
		{`{"Untagged":true}`, `field "Untagged" must be a string`},
	} {
		var v decodeTarget
		err := DecodeBytes([]byte(c.in), &v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("DecodeBytes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Fields of embedded structs are found as json.UnmarshalTypeError names
// them; one that is not found (in an unexported embedded struct) is named
// by the Go type the decoder was filling, which for an array is its
// element's.
func TestDecodeBytesEmbedded(t *testing.T) {
	t.Parallel()
	type Exported struct {
		Values []string `json:"values"`
	}
	type hidden struct {
		Others []string `json:"others"`
	}
	var v struct {
		Exported
		hidden
	}
	for in, want := range map[string]string{
		`{"values":[1]}`: `field "Exported.values" must be an array of strings`,
		`{"others":[1]}`: `field "hidden.others" must be a string`,
	} {
		if err := DecodeBytes([]byte(in), &v); err == nil || err.Error() != want {
			t.Errorf("DecodeBytes(%q) = %v, want %q", in, err, want)
		}
	}
}

// decodeMessage is every message DecodeBytes may give: none quotes the
// input, which may hold a password.
var decodeMessage = regexp.MustCompile(`^(request body must be a JSON object|malformed JSON in the request body( at byte \d+|: unexpected end)?|field "[A-Za-z_.]*" must be (a string|a boolean|a number|an array of (strings|numbers)|of another type)|the request body is not valid UTF-8 at byte \d+|a string in the request body holds (the escape \\u0000 \(NUL\)|an unpaired UTF-16 surrogate escape) at byte \d+)$`)

func FuzzDecodeBytes(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.c"}`, `{`, `[]`, `{"email":1}`, `{"nested":{"name":2}}`, "", "null", `{"email":"x"}}`,
		`{"values":[1]}`, `{"nested":{"ids":[true]}}`,
		"{\"email\":\"\xff\"}", `{"email":"\u0000"}`, `{"email":"\\u0000"}`, `{"email":"\ud800"}`,
		`{"\udc00":1}`, `{"email":"\ud83d\ude00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v decodeTarget
		err := DecodeBytes(in, &v)
		if err != nil && !decodeMessage.MatchString(err.Error()) {
			t.Fatalf("DecodeBytes(%q): message %q is not one of the known forms", in, err.Error())
		}
	})
}

// Decode answers a malformed body itself, with DecodeBytes's message.
func TestDecodeAnswers400(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body   string
		ok     bool
		answer string
	}{
		{`{"email":"a@b.c"}`, true, ""},
		{`{"email":`, false, `{"error":"malformed JSON in the request body at byte 9"}`},
		{`{"email":true}`, false, `{"error":"field \"email\" must be a string"}`},
		{``, false, `{"error":"request body must be a JSON object"}`},
		{`{"email":"a\u0000"}`, false, `{"error":"a string in the request body holds the escape \\u0000 (NUL) at byte 12"}`},
	} {
		w := httptest.NewRecorder()
		var v decodeTarget
		ok := Decode(w, httptest.NewRequest("POST", "/x", strings.NewReader(c.body)), &v)
		if ok != c.ok {
			t.Errorf("Decode(%q) = %v", c.body, ok)
		}
		if ok {
			if w.Body.Len() != 0 || v.Email == nil || *v.Email != "a@b.c" {
				t.Errorf("Decode(%q): answered %q, decoded %+v", c.body, w.Body, v)
			}
			continue
		}
		if w.Code != http.StatusBadRequest || w.Body.String() != c.answer+"\n" {
			t.Errorf("Decode(%q): answer %d %q, want 400 %q", c.body, w.Code, w.Body, c.answer)
		}
	}
}

// A body over the cap that reached Decode without LimitBody is unreadable
// to it: 400, not a partial decode.
func TestDecodeOversizedBodyIs400(t *testing.T) {
	t.Parallel()
	big := append([]byte(`{"email":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	big = append(big, `"}`...)
	w := httptest.NewRecorder()
	var v decodeTarget
	if Decode(w, httptest.NewRequest("POST", "/x", bytes.NewReader(big)), &v) {
		t.Fatal("Decode accepted a body over 1 MiB")
	}
	if w.Code != http.StatusBadRequest || w.Body.String() != `{"error":"could not read the request body"}`+"\n" {
		t.Errorf("answer %d %q", w.Code, w.Body)
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	if !Require(w, "email", true) || w.Body.Len() != 0 {
		t.Errorf("present field refused: %q", w.Body)
	}
	// The first missing field is named, and only one answer is written.
	if Require(w, "email", true) && Require(w, "code", false) && Require(w, "password", false) {
		t.Fatal("missing field accepted")
	}
	if w.Code != http.StatusBadRequest || w.Body.String() != `{"error":"missing field \"code\""}`+"\n" {
		t.Errorf("answer %d %q", w.Code, w.Body)
	}
}
