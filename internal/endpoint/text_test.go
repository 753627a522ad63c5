package endpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckJSONText(t *testing.T) {
	t.Parallel()
	const (
		notUTF8   = "the request body is not valid UTF-8 at byte "
		nul       = `a string in the request body holds the escape \u0000 (NUL) at byte `
		surrogate = "a string in the request body holds an unpaired UTF-16 surrogate escape at byte "
	)
	for _, c := range []struct{ name, in, want string }{
		{"plain", `{"email":"a@b.c"}`, ""},
		{"empty", ``, ""},
		{"UTF-8", `{"name":"José 用户 😀"}`, ""},
		{"U+FFFD as bytes", "{\"a\":\"\xef\xbf\xbd\"}", ""},
		{"U+FFFD as escape", `{"a":"\ufffd"}`, ""},
		{"other escapes", `{"a":"\" \\ \/ \b \f \n \r \t \u0001 \u00e9 \uFFFF"}`, ""},
		{"escaped backslash before u0000", `{"a":"\\u0000"}`, ""},
		{"escaped quote keeps the string open", `{"a":"\"\\"}`, ""},
		{"surrogate pair", `{"a":"\ud83d\ude00"}`, ""},
		{"surrogate pair upper case", `{"a":"\uD83D\uDE00"}`, ""},
		{"escape outside a string", `{\u0000}`, ""},
		{"malformed escape left to the decoder", `{"a":"\uzzzz"}`, ""},
		{"short escape left to the decoder", `{"a":"\u00"}`, ""},
		{"escaped UTF-8 left to the decoder", `{"a":"\é"}`, ""},
		{"trailing backslash", `{"a":"\`, ""},

		{"NUL escape", `{"a":"\u0000"}`, nul + "7"},
		{"NUL escape in a key", `{"\u0000":1}`, nul + "3"},
		{"NUL after an escaped backslash", `{"a":"\\\u0000"}`, nul + "9"},
		{"NUL after an escaped quote", `{"a":"\"\u0000"}`, nul + "9"},
		{"NUL in the next string", `{"a":"\\","b":"x\u0000"}`, nul + "17"},
		{"NUL in a bare string", `"\u0000"`, nul + "2"},
		{"high surrogate alone", `{"a":"\ud800"}`, surrogate + "7"},
		{"high surrogate at the end", `{"a":"\udbff`, surrogate + "7"},
		{"high surrogate then text", `{"a":"\ud83dx"}`, surrogate + "7"},
		{"high surrogate then another escape", `{"a":"\ud83d\n"}`, surrogate + "7"},
		{"two high surrogates", `{"a":"\ud83d\ud83d"}`, surrogate + "7"},
		{"high surrogate then a malformed escape", `{"a":"\ud83d\uzzzz"}`, surrogate + "7"},
		{"low surrogate alone", `{"a":"\udc00"}`, surrogate + "7"},
		{"pair reversed", `{"a":"\ude00\ud83d"}`, surrogate + "7"},
		{"lone surrogate in a key", `{"\uDFFF":1}`, surrogate + "3"},
		{"invalid byte", "{\"a\":\"\xff\"}", notUTF8 + "7"},
		{"invalid byte outside a string", "\xff{}", notUTF8 + "1"},
		{"truncated sequence", "{\"a\":\"\xc3\"}", notUTF8 + "7"},
		{"overlong slash", "{\"a\":\"\xc0\xaf\"}", notUTF8 + "7"},
		{"surrogate as UTF-8", "{\"a\":\"\xed\xa0\x80\"}", notUTF8 + "7"},
		{"invalid byte after a backslash", "{\"a\":\"\\\xff\"}", notUTF8 + "8"},
	} {
		got := ""
		if err := CheckJSONText([]byte(c.in)); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: CheckJSONText(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// textMessage is every message CheckJSONText may give, with the position.
var textMessage = regexp.MustCompile(`^(the request body is not valid UTF-8|a string in the request body holds (the escape \\u0000 \(NUL\)|an unpaired UTF-16 surrogate escape)) at byte (\d+)$`)

func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.c"}`, `{"a":"\u0000"}`, `{"a":"\\u0000"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud800"}`,
		`{"a":"\udc00"}`, "{\"a\":\"\xff\"}", `{"a":"\ufffd"}`, "\"\xef\xbf\xbd\"", `{"\u0000":[1,"\ud83d\n"]}`,
		`["\"\\", "\u00e9"]`, `{"a":"\ud83d\ud83d\ude00"}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		err := CheckJSONText(in)
		if err != nil {
			wantRefusalPlace(t, in, err)
			return
		}
		if !utf8.Valid(in) {
			t.Fatalf("accepted invalid UTF-8 %q", in)
		}
		if json.Valid(in) {
			wantDecodedAsSent(t, in)
		}
	})
}

// wantRefusalPlace fails t unless err is one of CheckJSONText's messages
// and the byte it names starts what it says: an invalid UTF-8 sequence
// after valid text, or an escape.
func wantRefusalPlace(t *testing.T, in []byte, err error) {
	t.Helper()
	m := textMessage.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("CheckJSONText(%q): message %q is not one of the known forms", in, err)
	}
	at, _ := strconv.Atoi(m[3])
	if at < 1 || at > len(in) {
		t.Fatalf("CheckJSONText(%q): %q names a byte outside the body", in, err)
	}
	rest := in[at-1:]
	switch {
	case strings.HasPrefix(m[1], "the request body is not valid UTF-8"):
		if r, size := utf8.DecodeRune(rest); !utf8.Valid(in[:at-1]) || r != utf8.RuneError || size != 1 {
			t.Fatalf("CheckJSONText(%q): %q, but the UTF-8 there is fine", in, err)
		}
	case strings.Contains(m[1], "NUL"):
		if !bytes.HasPrefix(rest, []byte(`\u0000`)) {
			t.Fatalf("CheckJSONText(%q): %q, but no \\u0000 there", in, err)
		}
	default:
		if len(rest) < 6 || !bytes.HasPrefix(bytes.ToLower(rest), []byte(`\ud`)) || rest[3] < '8' {
			t.Fatalf("CheckJSONText(%q): %q, but no surrogate escape there", in, err)
		}
	}
}

// wantDecodedAsSent fails t if encoding/json decodes in, valid JSON that
// CheckJSONText accepted, to a string with a NUL or with more U+FFFD than
// in spells out (as bytes EF BF BD or as the escape \ufffd): the ones it
// makes of invalid text. It reads in both whole into an any, as
// Unmarshal does, and token by token, which sees the keys and values a
// map overwrote too.
func wantDecodedAsSent(t *testing.T, in []byte) {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber() // as Unmarshal into an any, but 1E700 is no float64
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("json.Valid(%q), but Decode: %v", in, err)
	}
	spelled := bytes.Count(in, []byte("\uFFFD")) + countFoldEscape(in, `\ufffd`)
	for _, strs := range [][]string{decodedStrings(v), stringTokens(t, in)} {
		replaced := 0
		for _, s := range strs {
			if strings.Contains(s, "\x00") {
				t.Fatalf("accepted %q, which decodes to a NUL in %q", in, s)
			}
			replaced += strings.Count(s, "\uFFFD")
		}
		if replaced > spelled {
			t.Fatalf("accepted %q, which decodes to U+FFFD it does not spell out: %q", in, strs)
		}
	}
}

// decodedStrings is every string in v, decoded into an any: keys and
// values.
func decodedStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, decodedStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(append(out, k), decodedStrings(e)...)
		}
		return out
	}
	return nil
}

// stringTokens is every string of in, keys included, as json.Decoder reads
// them one by one.
func stringTokens(t *testing.T, in []byte) []string {
	t.Helper()
	var out []string
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("json.Valid(%q), but Token: %v", in, err)
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
		}
	}
}

// countFoldEscape counts esc in b, its letters in any case.
func countFoldEscape(b []byte, esc string) int {
	n := 0
	for i := 0; i+len(esc) <= len(b); i++ {
		if bytes.EqualFold(b[i:i+len(esc)], []byte(esc)) {
			n++
		}
	}
	return n
}
