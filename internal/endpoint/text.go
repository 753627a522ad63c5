package endpoint

import (
	"fmt"
	"unicode/utf8"
)

// The text every API refuses at the edge: bytes that no field of ours may
// hold, and that would otherwise travel until something further in fails
// on them with a 500 (Postgres refuses NUL and invalid UTF-8 in text; a
// mail header refuses line breaks). encoding/json does not refuse them: it
// decodes "\u0000" to a NUL and turns invalid UTF-8 and unpaired surrogate
// escapes into U+FFFD silently, so a body is checked on its raw bytes.

// Messages of CheckJSONText, with the 1-based position of the first byte
// of the offending sequence. None quotes the input.
const (
	msgBodyNotUTF8   = "the request body is not valid UTF-8 at byte %d"
	msgBodyNUL       = `a string in the request body holds the escape \u0000 (NUL) at byte %d`
	msgBodySurrogate = "a string in the request body holds an unpaired UTF-16 surrogate escape at byte %d"
)

// CheckJSONText refuses a JSON body that is not valid UTF-8, or one with a
// string (a key or a value) holding the escape \u0000 or an unpaired
// surrogate escape: a high one (\ud800–\udbff) not followed at once by a
// low one (\udc00–\udfff), or a low one alone. Its error is a 400 body: it
// says which problem and at which byte, never what the input holds.
//
// It is one pass over the bytes that tracks whether it is inside a string,
// and it judges nothing else: malformed JSON is left to the decoder, which
// says so. DecodeBytes calls it; a handler that decodes a body itself
// should too.
func CheckJSONText(body []byte) error {
	inString := false
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 { // U+FFFD as its own bytes is size 3, and fine
				return fmt.Errorf(msgBodyNotUTF8, i+1)
			}
			i += size
		case c == '"':
			inString = !inString
			i++
		case c == '\\' && inString:
			n, msg := escapeLen(body[i:])
			if msg != "" {
				return fmt.Errorf(msg, i+1)
			}
			i += n
		default:
			i++
		}
	}
	return nil
}

// escapeLen measures the escape at the start of b (b[0] is a backslash
// inside a string) and judges it: its length in bytes, or the message of
// what it holds that CheckJSONText refuses. A malformed escape is measured
// short and not judged: the decoder refuses it.
func escapeLen(b []byte) (int, string) {
	switch {
	case len(b) < 2 || b[1] >= utf8.RuneSelf:
		return 1, "" // the rune after it is checked as UTF-8
	case b[1] != 'u':
		return 2, "" // \" \\ \/ \b \f \n \r \t, or malformed
	}
	r, ok := hex4(b[2:])
	switch {
	case !ok:
		return 2, ""
	case r == 0:
		return 0, msgBodyNUL
	case r >= 0xdc00 && r <= 0xdfff:
		return 0, msgBodySurrogate
	case r < 0xd800 || r > 0xdbff:
		return 6, ""
	}
	// A high surrogate: a low one must follow at once.
	if len(b) < 8 || b[6] != '\\' || b[7] != 'u' {
		return 0, msgBodySurrogate
	}
	if low, ok := hex4(b[8:]); !ok || low < 0xdc00 || low > 0xdfff {
		return 0, msgBodySurrogate
	}
	return 12, ""
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// cleanText reports whether s, a decoded path or query parameter, is valid
// UTF-8 without an ASCII control character (NUL to US, and DEL).
func cleanText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}
