package cftest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
)

const fuzzZone = "0123456789abcdef0123456789abcdef"

// FuzzFakeRequest throws arbitrary methods, paths, query strings and bodies
// at the fake. It must never panic, must always answer Cloudflare's
// envelope with success matching the status, and must never store a record
// that the API's validation would refuse.
func FuzzFakeRequest(f *testing.F) {
	base := "/client/v4/zones/" + fuzzZone + "/dns_records"
	f.Add("POST", base, "", `{"type":"A","name":"a","content":"192.0.2.1","ttl":120}`)
	f.Add("POST", base, "", `{"type":"TXT","name":"_acme-challenge.a.example.net","content":"x","ttl":60,"comment":"c"}`)
	f.Add("GET", base, "type=A&name.exact=a.example.net&page=2&per_page=5", "")
	f.Add("GET", base, "name=%ZZ&page=-1&per_page=99999999999999999999", "")
	f.Add("PATCH", base+"/0123456789abcdef0123456789abcdef", "", `{"ttl":1e309}`)
	f.Add("PUT", base+"/zz", "", `[1,2]`)
	f.Add("DELETE", base+"/0123456789abcdef0123456789abcdef", "", "")
	f.Add("POST", base, "", `{"type":"AAAA","name":"@","content":"fe80::1%eth0","ttl":-5}{}`)

	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		fake := cftest.New("tok", cftest.WithZone(fuzzZone, "example.net"), cftest.WithCeiling(0, 0))
		// Seed one record so that PUT/PATCH/DELETE on its id reach the parsers.
		if _, err := fake.PutRecord(fuzzZone, cftest.Record{ID: fuzzZone, Type: "A", Name: "seed", Content: "192.0.2.7", TTL: 120}); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader([]byte(body)))
		req.Method = method
		req.URL.Path = path
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)

		var env cftest.Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s %s?%s: answer %d is not an envelope: %v: %q", method, path, query, rec.Code, err, rec.Body.Bytes())
		}
		if env.Success != (rec.Code < 300) || env.Success != (len(env.Errors) == 0) {
			t.Fatalf("status %d with success=%v errors=%v", rec.Code, env.Success, env.Errors)
		}
		for _, r := range fake.Records(fuzzZone) {
			if len(r.ID) != 32 || r.Name == "" || (r.TTL != 1 && (r.TTL < 60 || r.TTL > 86400)) {
				t.Fatalf("stored invalid record %+v", r)
			}
			if r.Type == "A" || r.Type == "AAAA" {
				if a, err := netip.ParseAddr(r.Content); err != nil || a.Is4() != (r.Type == "A") {
					t.Fatalf("stored %s record with content %q", r.Type, r.Content)
				}
			}
		}
	})
}
