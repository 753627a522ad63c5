package tenantsapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// jsonRoute is a route with a JSON body, its required fields, and how
// to authenticate a call to it.
type jsonRoute struct {
	path     string
	fields   []string // required, in the order the handler checks them
	asDaemon bool     // daemon token and proof; POST /v1/token: proof only
}

var jsonRoutes = []jsonRoute{
	{"/v1/verification-codes", []string{"email", "purpose"}, false},
	{"/v1/enroll", []string{"code", "public_key"}, false},
	{"/v1/token", []string{"public_key"}, true},
	{"/v1/networks", []string{"slug", "region"}, true},
	{"/v1/auth/password/signup", []string{"email", "code", "password"}, false},
	{"/v1/auth/password/login", []string{"email", "password"}, false},
	{"/v1/auth/password/reset", []string{"code", "password"}, false},
}

// Every JSON route answers a body that is not a JSON object of the right
// shape with 400 and a message that says what is wrong, before any
// command runs.
func TestMalformedJSONIs400(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	for _, rt := range jsonRoutes {
		cases := []struct{ body, want string }{
			{"", "request body must be a JSON object"},
			{"{", "malformed JSON in the request body at byte 1"},
			{`{"a":1,}`, "malformed JSON in the request body at byte 8"},
			{`{"a":1} {}`, "malformed JSON in the request body at byte 9"},
			{"[]", "request body must be a JSON object"},
			{`"text"`, "request body must be a JSON object"},
			{"42", "request body must be a JSON object"},
			{"null", fmt.Sprintf("missing field %q", rt.fields[0])},
			{"{}", fmt.Sprintf("missing field %q", rt.fields[0])},
			{fmt.Sprintf(`{%q: null}`, rt.fields[0]), fmt.Sprintf("missing field %q", rt.fields[0])},
			{fmt.Sprintf(`{%q: 5}`, rt.fields[0]), fmt.Sprintf("field %q must be a string", rt.fields[0])},
			{fmt.Sprintf(`{%q: {"x": 1}}`, rt.fields[0]), fmt.Sprintf("field %q must be a string", rt.fields[0])},
		}
		// Every required field is required.
		for i, f := range rt.fields {
			body := "{"
			for j, g := range rt.fields {
				if j != i {
					if len(body) > 1 {
						body += ","
					}
					body += fmt.Sprintf("%q:%q", g, "x")
				}
			}
			cases = append(cases, struct{ body, want string }{body + "}", fmt.Sprintf("missing field %q", f)})
		}
		for i, c := range cases {
			cl := call{method: "POST", path: rt.path, body: []byte(c.body)}
			if rt.asDaemon {
				// One proof per second, key and body: earlier seconds
				// keep the calls apart.
				cl.sign, cl.signSkew = daemon, -time.Duration(i)*time.Second
				if rt.path != "/v1/token" {
					cl.bearer = s.daemonToken(t, tenantA, daemon, "")
				}
			}
			r := s.do(t, cl)
			r.wantError(t, http.StatusBadRequest, c.want)
			r.conforms(t)
		}
	}
}
