package tenantsapi_test

import (
	"bytes"
	"net/http"
	"testing"
)

const mib = 1 << 20

// bodyRoutes are the routes that take a body: every POST.
func bodyRoutes() []string {
	var out []string
	for _, rt := range routes {
		if rt.method == "POST" {
			out = append(out, rt.path)
		}
	}
	return out
}

// A body over 1 MiB is refused with 413 on every POST route, whether it
// announces its length or not, and whatever credential the request has:
// the cap comes before authentication.
func TestBodyOver1MiBIs413(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	big := append([]byte(`{"email":"`), bytes.Repeat([]byte("a"), mib)...)
	big = append(big, `"}`...)
	for _, path := range bodyRoutes() {
		for _, chunked := range []bool{false, true} {
			for _, auth := range []string{"none", "daemon"} {
				c := call{method: "POST", path: path, body: big, chunked: chunked}
				if auth == "daemon" {
					c.bearer, c.sign = s.daemonToken(t, otherID, daemon, ""), daemon
				}
				r := s.do(t, c)
				r.wantError(t, http.StatusRequestEntityTooLarge, "request body exceeds 1 MiB limit")
				r.conforms(t)
			}
		}
	}
}

// Exactly 1 MiB is accepted: the request reaches the handler, which
// finds a field missing.
func TestBodyOfExactly1MiBIsRead(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := []byte(`{"purpose":"signup"}`)
	body = append(body, bytes.Repeat([]byte(" "), mib-len(body))...)
	for _, chunked := range []bool{false, true} {
		r := s.do(t, call{method: "POST", path: "/v1/verification-codes", body: body, chunked: chunked})
		r.wantError(t, http.StatusBadRequest, `missing field "email"`)
	}
}
