package ddnsapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxAuthorization bounds the Authorization header worth decoding: a
// username and a secret are far shorter.
const maxAuthorization = 4096

// basicAuth reads the one Authorization header of r as HTTP Basic
// (RFC 7617): the scheme in any case, standard base64 of
// "username:secret", split at the first colon. ok is false for no header,
// several, another scheme, bad base64, no colon, an empty username,
// control characters in either part, or a username that is not UTF-8
// (no store would take it: it can name no credential).
func basicAuth(r *http.Request) (username, secret string, ok bool) {
	vals := r.Header.Values("Authorization")
	if len(vals) != 1 {
		return "", "", false
	}
	return parseBasic(vals[0])
}

// parseBasic is basicAuth's parser of one header value.
func parseBasic(h string) (username, secret string, ok bool) {
	if len(h) > maxAuthorization {
		return "", "", false
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", false
	}
	username, secret, found = strings.Cut(string(raw), ":")
	if !found || username == "" || hasControl(username) || hasControl(secret) || !utf8.ValidString(username) {
		return "", "", false
	}
	return username, secret, true
}

// hasControl reports whether s holds an ASCII control character (CTL of
// RFC 7617, which a username or secret must not contain).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
