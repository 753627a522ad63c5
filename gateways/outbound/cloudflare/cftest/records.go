package cftest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Record is a DNS record as the fake stores it.
type Record struct {
	ID         string
	Type       string // "A", "AAAA" or "TXT"
	Name       string // fully qualified, lower case, no trailing dot
	Content    string
	TTL        int // 1 means automatic
	Proxied    bool
	Comment    string
	CreatedOn  time.Time
	ModifiedOn time.Time
}

// WireRecord is a record in Cloudflare's JSON shape, as the API and
// ListingHandler serve it.
type WireRecord struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Content    string         `json:"content"`
	Proxiable  bool           `json:"proxiable"`
	Proxied    bool           `json:"proxied"`
	TTL        int            `json:"ttl"`
	Settings   map[string]any `json:"settings"`
	Meta       map[string]any `json:"meta"`
	Comment    *string        `json:"comment"`
	Tags       []string       `json:"tags"`
	CreatedOn  string         `json:"created_on"`
	ModifiedOn string         `json:"modified_on"`
}

func (r Record) wire() WireRecord {
	w := WireRecord{
		ID: r.ID, Name: r.Name, Type: r.Type, Content: r.Content,
		Proxiable: r.Type != "TXT", Proxied: r.Proxied, TTL: r.TTL,
		Settings: map[string]any{}, Meta: map[string]any{}, Tags: []string{},
		CreatedOn:  r.CreatedOn.UTC().Format(cloudflareTimeLayout),
		ModifiedOn: r.ModifiedOn.UTC().Format(cloudflareTimeLayout),
	}
	if r.Comment != "" {
		c := r.Comment
		w.Comment = &c
	}
	return w
}

// recordBody is a POST, PUT or PATCH body. Pointers tell absent from zero.
type recordBody struct {
	Type    *string  `json:"type"`
	Name    *string  `json:"name"`
	Content *string  `json:"content"`
	TTL     *float64 `json:"ttl"`
	Proxied *bool    `json:"proxied"`
	Comment *string  `json:"comment"`
}

// parseRecordBody reads a JSON object body as Cloudflare does: the content
// type must be JSON, the body an object of at most 1 MiB.
func parseRecordBody(r *http.Request) (recordBody, *failure) {
	var b recordBody
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json") {
		return b, fail(http.StatusBadRequest, CodeContentType, "Content-type must be application/json.")
	}
	raw, err := readBody(r)
	if err != nil {
		return b, fail(http.StatusBadRequest, CodeMalformedJSON, "Malformed JSON in request body")
	}
	if f := decodeRecordBody(raw, &b); f != nil {
		return b, f
	}
	return b, nil
}

func readBody(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, maxRequestBody))
	if err != nil {
		return nil, err
	}
	return buf.Bytes()[:n], nil
}

func decodeRecordBody(raw []byte, b *recordBody) *failure {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(b); err != nil {
		return fail(http.StatusBadRequest, CodeMalformedJSON, "Malformed JSON in request body")
	}
	if dec.More() {
		return fail(http.StatusBadRequest, CodeMalformedJSON, "Malformed JSON in request body")
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return fail(http.StatusBadRequest, CodeMalformedJSON, "Malformed JSON in request body")
	}
	return nil
}

// apply merges a body into rec. For POST and PUT (full) absent fields take
// Cloudflare's defaults; for PATCH they keep rec's values.
func (b recordBody) apply(rec Record, full bool) Record {
	if full {
		rec.Type, rec.Name, rec.Content, rec.TTL, rec.Proxied, rec.Comment = "", "", "", 1, false, ""
	}
	if b.Type != nil {
		rec.Type = strings.ToUpper(*b.Type)
	}
	if b.Name != nil {
		rec.Name = *b.Name
	}
	if b.Content != nil {
		rec.Content = *b.Content
	}
	if b.TTL != nil {
		rec.TTL = ttlFromFloat(*b.TTL)
	}
	if b.Proxied != nil {
		rec.Proxied = *b.Proxied
	}
	if b.Comment != nil {
		rec.Comment = *b.Comment
	}
	return rec
}

// ttlFromFloat keeps whole seconds; a fractional or out-of-range TTL becomes
// 0, which validation refuses.
func ttlFromFloat(f float64) int {
	if f != f || f < 0 || f > 1<<31 || f != float64(int64(f)) {
		return 0
	}
	return int(f)
}

// normalizeName makes name fully qualified in zone, as Cloudflare does with
// "@" and with names given relative to the zone.
func normalizeName(name, zone string) string {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	switch {
	case name == "@" || name == zone:
		return zone
	case name == "" || strings.HasSuffix(name, "."+zone):
		return name
	default:
		return name + "." + zone
	}
}

// validName accepts lower-case host names of letters, digits, '-' and
// '_', with an optional leading wildcard label.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for i, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		if label == "*" && i == 0 {
			continue
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

// validate checks a record the way Cloudflare's DNS validation does for the
// fields and types the fake supports.
func validate(rec Record) *failure {
	switch rec.Type {
	case "A", "AAAA", "TXT":
	default:
		return fail(http.StatusBadRequest, CodeInvalidType, "Invalid DNS record type")
	}
	if !validName(rec.Name) {
		return fail(http.StatusBadRequest, CodeInvalidName, "DNS name is invalid.")
	}
	switch rec.Type {
	case "A":
		if a, err := netip.ParseAddr(rec.Content); err != nil || !a.Is4() {
			return fail(http.StatusBadRequest, CodeInvalidIPv4, "Content for A record must be a valid IPv4 address.")
		}
	case "AAAA":
		if a, err := netip.ParseAddr(rec.Content); err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
			return fail(http.StatusBadRequest, CodeInvalidIPv6, "Content for AAAA record must be a valid IPv6 address.")
		}
	case "TXT":
		if rec.Content == "" {
			return fail(http.StatusBadRequest, CodeInvalidContent, "Content for TXT record is invalid.")
		}
		if len(rec.Content) > 2048 {
			return fail(http.StatusBadRequest, CodeContentTooLong, "Record content exceeds the allowed length of 4096 wire format bytes.")
		}
		if rec.Proxied {
			return fail(http.StatusBadRequest, CodeCannotProxy, "This record type cannot be proxied.")
		}
	}
	if rec.TTL != 1 && (rec.TTL < 60 || rec.TTL > 86400) {
		return fail(http.StatusBadRequest, CodeInvalidTTL, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for automatic.")
	}
	return nil
}

// sameRecord reports whether two records are identical in Cloudflare's sense.
func sameRecord(a, b Record) bool {
	return a.Type == b.Type && a.Name == b.Name && a.Content == b.Content
}
