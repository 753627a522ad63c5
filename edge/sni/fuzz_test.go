package sni_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

func FuzzReadClientHello(f *testing.F) {
	def := defaultHello(f)
	large := largeHello(f)
	small := validParts().wire()
	for _, seed := range [][]byte{
		def,
		large,
		small,
		records(handshakeMessage(f, def), 1, 3, 50),
		records(handshakeMessage(f, small), 2, 2, 2, 2),
		captureHello(f, &tls.Config{InsecureSkipVerify: true}),
		captureHello(f, &tls.Config{ServerName: "x.home-lab.dyn.example.net", MaxVersion: tls.VersionTLS12}),
		def[:len(def)/2],
		join(def, after),
		[]byte("GET / HTTP/1.1\r\n\r\n"),
		{0x16, 3, 1, 0, 0},
		{0x16, 3, 1, 0x40, 0x01},
		{0x16, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff},
		{},
	} {
		f.Add(seed, uint16(0))
	}
	f.Add(small, uint16(len(small)))
	f.Add(small, uint16(len(small)-1))
	f.Add(def, uint16(100))

	f.Fuzz(func(t *testing.T, in []byte, limit uint16) {
		lim := cmpLimit(int(limit))
		counter := &countingReader{r: bytes.NewReader(in)}
		raw, hello, err := sni.ReadClientHello(counter, int(limit))
		if counter.n > lim || counter.n != len(raw) || !bytes.Equal(raw, in[:len(raw)]) {
			t.Fatalf("read %d bytes (limit %d); raw of %d bytes is not the input's prefix", counter.n, lim, len(raw))
		}
		if sni.Reason(err) == "read_error" {
			t.Fatalf("a bytes.Reader gave a read error: %v", err)
		}
		// One byte at a time reads the same bytes to the same end.
		raw1, hello1, err1 := sni.ReadClientHello(iotest.OneByteReader(bytes.NewReader(in)), int(limit))
		if !bytes.Equal(raw1, raw) || sni.Reason(err1) != sni.Reason(err) || !sameHello(hello1, hello) {
			t.Fatalf("one byte at a time: %d bytes, %v; at once: %d bytes, %v", len(raw1), err1, len(raw), err)
		}
		if err != nil {
			return
		}
		checkHello(t, hello)
		again, hello2, err := sni.ReadClientHello(bytes.NewReader(raw), int(limit))
		if err != nil || !bytes.Equal(again, raw) || !sameHello(hello2, hello) {
			t.Fatalf("re-reading the returned bytes: %v", err)
		}
	})
}

func sameHello(a, b sni.ClientHello) bool {
	return a.ServerName == b.ServerName && slices.Equal(a.ALPN, b.ALPN)
}

// checkHello holds an accepted hello to what the package promises.
func checkHello(t *testing.T, h sni.ClientHello) {
	t.Helper()
	if h.ServerName == "" || h.ServerName != strings.ToLower(h.ServerName) || strings.HasSuffix(h.ServerName, ".") {
		t.Fatalf("accepted server name %q", h.ServerName)
	}
	zone, err := sni.ParseZone(h.ServerName)
	if err != nil || zone.String() != h.ServerName {
		t.Fatalf("accepted server name %q is not a zone-worthy DNS name: %v", h.ServerName, err)
	}
	if _, err := zone.Route(h.ServerName); !errors.Is(err, sni.ErrZoneApex) {
		t.Fatalf("%q does not route to its own apex: %v", h.ServerName, err)
	}
	for _, p := range h.ALPN {
		if p == "" || len(p) > 255 {
			t.Fatalf("accepted ALPN protocol of %d bytes", len(p))
		}
	}
}
