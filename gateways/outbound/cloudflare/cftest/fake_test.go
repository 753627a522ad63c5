package cftest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
)

const token = "fake-test-token"

type answer struct {
	status int
	header http.Header
	env    cftest.Envelope
}

func call(t *testing.T, srv *cftest.Server, method, path, tok, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, strings.TrimSuffix(srv.URL, "/")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var a answer
	a.status, a.header = res.StatusCode, res.Header
	if err := json.Unmarshal(raw, &a.env); err != nil {
		t.Fatalf("%s %s: answer is not an envelope: %v: %s", method, path, err, raw)
	}
	return a
}

func wantError(t *testing.T, a answer, status int, codes ...int) {
	t.Helper()
	if a.status != status || a.env.Success || string(a.env.Result) != "null" || len(a.env.Errors) != len(codes) {
		t.Fatalf("answer %d %+v, want %d with codes %v", a.status, a.env, status, codes)
	}
	for i, c := range codes {
		if a.env.Errors[i].Code != c || a.env.Errors[i].Message == "" {
			t.Fatalf("error %d = %+v, want code %d", i, a.env.Errors[i], c)
		}
	}
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	srv := cftest.NewServer(t, token)
	z := "/zones/" + srv.ZoneID + "/dns_records"
	missing := "/" + cftest.NewID()

	wantError(t, call(t, srv, "GET", z, "", ""), 400, cftest.CodeMissingAuth)
	wantError(t, call(t, srv, "GET", z, "other", ""), 403, cftest.CodeAuthentication)
	wantError(t, call(t, srv, "GET", "/zones/"+cftest.NewID()+"/dns_records", token, ""), 404, cftest.CodeCouldNotRoute, cftest.CodeNoRoute)
	wantError(t, call(t, srv, "GET", "/zones/nothex/dns_records", token, ""), 400, cftest.CodeCouldNotRoute, cftest.CodeNoRoute)
	wantError(t, call(t, srv, "GET", z+missing, token, ""), 404, cftest.CodeRecordNotFound)
	wantError(t, call(t, srv, "DELETE", z+missing, token, ""), 404, cftest.CodeRecordNotFound)
	wantError(t, call(t, srv, "PATCH", z+missing, token, `{"content":"192.0.2.1"}`), 404, cftest.CodeRecordNotFound)
	wantError(t, call(t, srv, "POST", z, token, `{"type":"A",`), 400, cftest.CodeMalformedJSON)
	wantError(t, call(t, srv, "GET", z+"?page=0", token, ""), 400, cftest.CodeBadPaging)
	wantError(t, call(t, srv, "GET", z+"?type=BOGUS", token, ""), 400, cftest.CodeInvalidType)

	for body, code := range map[string]int{
		`{"type":"A","name":"a.example.net","content":"::1","ttl":120}`:        cftest.CodeInvalidIPv4,
		`{"type":"AAAA","name":"a.example.net","content":"1.2.3.4","ttl":120}`: cftest.CodeInvalidIPv6,
		`{"type":"A","name":"a..example.net","content":"1.2.3.4","ttl":120}`:   cftest.CodeInvalidName,
		`{"type":"A","name":"a.example.net","content":"1.2.3.4","ttl":59}`:     cftest.CodeInvalidTTL,
		`{"type":"TXT","name":"a.example.net","content":"x","proxied":true}`:   cftest.CodeCannotProxy,
		`{"type":"TXT","name":"a.example.net","content":""}`:                   cftest.CodeInvalidContent,
		`{"type":"LOC","name":"a.example.net","content":"x"}`:                  cftest.CodeInvalidType,
		`{"type":"A","name":"a.example.net","content":"1.2.3.4","ttl":120.5}`:  cftest.CodeInvalidTTL,
	} {
		wantError(t, call(t, srv, "POST", z, token, body), 400, code)
	}
	if n := len(srv.Records(srv.ZoneID)); n != 0 {
		t.Fatalf("invalid requests stored %d records", n)
	}
}

func TestRecordLifecycleOnTheWire(t *testing.T) {
	t.Parallel()
	clock := cftest.NewVirtualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := cftest.NewServer(t, token, cftest.WithClock(clock))
	z := "/zones/" + srv.ZoneID + "/dns_records"

	a := call(t, srv, "POST", z, token, `{"type":"A","name":"Home","content":"192.0.2.1","ttl":120,"proxied":false}`)
	var rec cftest.WireRecord
	if err := json.Unmarshal(a.env.Result, &rec); err != nil || a.status != 200 || !a.env.Success {
		t.Fatalf("create = %d %+v (%v)", a.status, a.env, err)
	}
	if len(rec.ID) != 32 || rec.Name != "home.example.net" || rec.TTL != 120 || rec.CreatedOn != "2026-01-02T03:04:05.000000Z" || rec.Comment != nil {
		t.Fatalf("created record = %+v", rec)
	}
	wantError(t, call(t, srv, "POST", z, token, `{"type":"A","name":"home.example.net","content":"192.0.2.1","ttl":60}`), 400, cftest.CodeIdenticalRecord)

	clock.Advance(time.Hour)
	p := call(t, srv, "PATCH", z+"/"+rec.ID, token, `{"content":"192.0.2.9"}`)
	var patched cftest.WireRecord
	_ = json.Unmarshal(p.env.Result, &patched)
	if patched.Content != "192.0.2.9" || patched.TTL != 120 || patched.ModifiedOn != "2026-01-02T04:04:05.000000Z" || patched.CreatedOn != rec.CreatedOn {
		t.Fatalf("patched = %+v", patched)
	}
	u := call(t, srv, "PUT", z+"/"+rec.ID, token, `{"type":"A","name":"home.example.net","content":"192.0.2.10"}`)
	var put cftest.WireRecord
	_ = json.Unmarshal(u.env.Result, &put)
	if put.Content != "192.0.2.10" || put.TTL != 1 {
		t.Fatalf("PUT must overwrite every field (ttl back to automatic): %+v", put)
	}

	// Behind the client's back.
	if err := srv.EditRecord(srv.ZoneID, rec.ID, func(r *cftest.Record) { r.Content = "198.51.100.1" }); err != nil {
		t.Fatal(err)
	}
	g := call(t, srv, "GET", z+"/"+rec.ID, token, "")
	var got cftest.WireRecord
	_ = json.Unmarshal(g.env.Result, &got)
	if got.Content != "198.51.100.1" {
		t.Fatalf("hand edit not served: %+v", got)
	}

	d := call(t, srv, "DELETE", z+"/"+rec.ID, token, "")
	if d.status != 200 || string(d.env.Result) != `{"id":"`+rec.ID+`"}` {
		t.Fatalf("delete = %d %s", d.status, d.env.Result)
	}
}

func TestListPaging(t *testing.T) {
	t.Parallel()
	srv := cftest.NewServer(t, token)
	for i := range 12 {
		if _, err := srv.PutRecord(srv.ZoneID, cftest.Record{Type: "TXT", Name: "_acme-challenge.n", Content: strings.Repeat("x", i+1), TTL: 60}); err != nil {
			t.Fatal(err)
		}
	}
	a := call(t, srv, "GET", "/zones/"+srv.ZoneID+"/dns_records?type=TXT&name.exact=_ACME-challenge.n.example.net&per_page=5&page=3", token, "")
	var recs []cftest.WireRecord
	_ = json.Unmarshal(a.env.Result, &recs)
	want := cftest.ResultInfo{Page: 3, PerPage: 5, Count: 2, TotalCount: 12, TotalPages: 3}
	if a.env.ResultInfo == nil || *a.env.ResultInfo != want || len(recs) != 2 {
		t.Fatalf("page 3 = %+v, %d records; want %+v", a.env.ResultInfo, len(recs), want)
	}
	empty := call(t, srv, "GET", "/zones/"+srv.ZoneID+"/dns_records?name=nothing.example.net", token, "")
	if string(empty.env.Result) != "[]" || empty.env.ResultInfo.TotalPages != 1 {
		t.Fatalf("empty list = %s %+v", empty.env.Result, empty.env.ResultInfo)
	}
}

func TestCeilingBlocksForAWindow(t *testing.T) {
	t.Parallel()
	clock := cftest.NewVirtualClock(time.Unix(0, 0))
	srv := cftest.NewServer(t, token, cftest.WithClock(clock), cftest.WithCeiling(3, time.Minute))
	z := "/zones/" + srv.ZoneID + "/dns_records"
	for range 3 {
		if a := call(t, srv, "GET", z, token, ""); a.status != 200 {
			t.Fatalf("status %d under the ceiling", a.status)
		}
	}
	a := call(t, srv, "GET", z, token, "")
	wantError(t, a, 429, cftest.CodeThrottled)
	if a.header.Get("Retry-After") != "60" {
		t.Fatalf("Retry-After = %q, want 60", a.header.Get("Retry-After"))
	}
	clock.Advance(59 * time.Second)
	wantError(t, call(t, srv, "GET", z, token, ""), 429, cftest.CodeThrottled)
	clock.Advance(time.Second)
	if a := call(t, srv, "GET", z, token, ""); a.status != 200 {
		t.Fatalf("status %d after the block", a.status)
	}
	if n := srv.Requests(); n != 6 {
		t.Fatalf("Requests = %d, want 6", n)
	}
}

func TestListingHandler(t *testing.T) {
	t.Parallel()
	f := cftest.New(token, cftest.WithZone("0123456789abcdef0123456789abcdef", "Wardnet.Example"))
	if _, err := f.PutRecord("0123456789abcdef0123456789abcdef", cftest.Record{Type: "a", Name: "x", Content: "192.0.2.1", TTL: 120}); err != nil {
		t.Fatal(err)
	}
	rec := httptestRecorder(f.ListingHandler(), "GET", "/dev/dns")
	var out struct {
		Zones []cftest.ZoneListing `json:"zones"`
	}
	if err := json.Unmarshal(rec, &out); err != nil || len(out.Zones) != 1 || out.Zones[0].Name != "wardnet.example" ||
		len(out.Zones[0].Records) != 1 || out.Zones[0].Records[0].Name != "x.wardnet.example" || out.Zones[0].Records[0].Type != "A" {
		t.Fatalf("listing = %s (%v)", rec, err)
	}
}
