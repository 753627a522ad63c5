package datakeys

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzParseSealed(f *testing.F) {
	f.Add("v1.dGVuYW50OnQx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("v1.ZGF5OjIwMjYtMDUtMDE.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
	f.Add("v1..")
	f.Add("v1.x.y.z")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSealed(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parse error %v is not ErrMalformed", err)
			}
			return
		}
		if got := p.String(); got != s {
			t.Fatalf("accepted a non-canonical string: %q formats as %q", s, got)
		}
		if checkKeyID(p.keyID) != nil || len(p.payload) < nonceLen+tagLen {
			t.Fatalf("accepted %q with key id %q and %d payload bytes", s, p.keyID, len(p.payload))
		}
		again, err := parseSealed(p.String())
		if err != nil || again.keyID != p.keyID || !bytes.Equal(again.payload, p.payload) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

func FuzzSealedRoundTrip(f *testing.F) {
	f.Add("tenant:t1", []byte("0123456789abcdef0123456789abcdef"))
	f.Fuzz(func(t *testing.T, id string, payload []byte) {
		s := sealed{keyID: id, payload: payload}
		p, err := parseSealed(s.String())
		valid := checkKeyID(id) == nil && len(payload) >= nonceLen+tagLen
		if valid != (err == nil) {
			t.Fatalf("id %q, %d bytes: valid %v, parse error %v", id, len(payload), valid, err)
		}
		if err == nil && (p.keyID != id || !bytes.Equal(p.payload, payload)) {
			t.Fatalf("round trip changed %q", id)
		}
	})
}

func TestCacheIsBounded(t *testing.T) {
	c := newCache(3)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		c.put(id, []byte(id), []byte("key"))
	}
	if c.len() != 3 {
		t.Fatalf("cache holds %d entries, bound 3", c.len())
	}
	c.put("x", []byte("w1"), []byte("k1"))
	if _, ok := c.get("x", []byte("w2")); ok {
		t.Fatal("cache hit for other wrapped bytes")
	}
	if k, ok := c.get("x", []byte("w1")); !ok || string(k) != "k1" {
		t.Fatal("cache miss for the same wrapped bytes")
	}
	c.drop("x")
	if _, ok := c.get("x", []byte("w1")); ok {
		t.Fatal("dropped entry still cached")
	}
	off := newCache(-1)
	off.put("a", nil, nil)
	if off.len() != 0 {
		t.Fatal("disabled cache stored an entry")
	}
}
