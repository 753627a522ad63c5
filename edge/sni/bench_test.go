package sni_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

// BenchmarkReadClientHello reads and parses Go's default hello; the copy
// sub-benchmark is the baseline of merely reading the same bytes.
func BenchmarkReadClientHello(b *testing.B) {
	wire := defaultHello(b)
	zone, err := sni.ParseZone("dyn.example.net")
	if err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(wire)
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			r.Reset(wire)
			_, hello, err := sni.ReadClientHello(r, 0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := zone.Route(hello.ServerName); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			r.Reset(wire)
			if _, err := io.ReadFull(r, make([]byte, len(wire))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
