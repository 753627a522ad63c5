package frame

import (
	"bytes"
	"os"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/benchreport"
)

// TestMain prints the benchmarks' summary lines (docs/benchmarks.md).
func TestMain(m *testing.M) {
	code := m.Run()
	benchreport.Print(os.Stdout)
	os.Exit(code)
}

// benchChunk is the size of the node's reads from a client (contract
// §6.3): the typical DATA payload.
const benchChunk = 16 << 10

var sinkFrame V2Frame

func BenchmarkAppendV2Data(b *testing.B) {
	payload := bytes.Repeat([]byte{0x17}, benchChunk)
	buf := make([]byte, 0, MaxMessage)
	b.SetBytes(benchChunk)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendV2Data(buf[:0], 1, payload)
	}
}

func BenchmarkDecodeV2Data(b *testing.B) {
	msg, _ := AppendV2Data(nil, 1, bytes.Repeat([]byte{0x17}, benchChunk))
	b.ReportAllocs()
	for b.Loop() {
		sinkFrame, _ = DecodeV2(msg)
	}
}

func BenchmarkAppendV1Data(b *testing.B) {
	payload := bytes.Repeat([]byte{0x17}, benchChunk)
	buf := make([]byte, 0, V1HeaderLen+benchChunk)
	b.SetBytes(benchChunk)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendV1Data(buf[:0], 1, payload)
	}
}

func BenchmarkDecodeV1Data(b *testing.B) {
	msg, _ := AppendV1Data(nil, 1, bytes.Repeat([]byte{0x17}, benchChunk))
	var f V1Frame
	b.ReportAllocs()
	for b.Loop() {
		f, _ = DecodeV1(msg)
	}
	_ = f
}

// BenchmarkV2DataFraming is what framing costs on the data path: encoding
// a 16 KiB DATA into a reused buffer and decoding it, against the copy of
// the same payload into the same buffer that any sender makes anyway.
// The summary line's ratio is framed throughput over the bare copy's.
func BenchmarkV2DataFraming(b *testing.B) {
	const ops, rounds = 2000, 20
	payload := bytes.Repeat([]byte{0x17}, benchChunk)
	buf := make([]byte, 0, MaxMessage)
	b.ReportAllocs()
	for b.Loop() {
		target := func() {
			for range ops {
				buf, _ = AppendV2Data(buf[:0], 1, payload)
				sinkFrame, _ = DecodeV2(buf)
			}
		}
		baseline := func() {
			for range ops {
				buf = append(buf[:0], payload...)
			}
		}
		tt, bt := benchreport.Interleave(rounds, target, baseline)
		mb := func(d float64) float64 { return d * benchChunk / 1e6 }
		benchreport.Record("edge.frame_v2_data_16k", mb(benchreport.PerSecond(ops, tt)), "MB/s", mb(benchreport.PerSecond(ops, bt)))
	}
}

// The data path allocates nothing: decoding aliases the message, encoding
// appends to the caller's buffer.
func TestDataPathDoesNotAllocate(t *testing.T) {
	payload := bytes.Repeat([]byte{0x17}, benchChunk)
	v2msg, _ := AppendV2Data(nil, 1, payload)
	v1msg, _ := AppendV1Data(nil, 1, payload)
	buf := make([]byte, 0, MaxMessage)
	for name, fn := range map[string]func(){
		"DecodeV2 DATA":     func() { sinkFrame, _ = DecodeV2(v2msg) },
		"DecodeV1 DATA":     func() { _, _ = DecodeV1(v1msg) },
		"AppendV2Data":      func() { buf, _ = AppendV2Data(buf[:0], 1, payload) },
		"AppendV2Datagram":  func() { buf, _ = AppendV2Datagram(buf[:0], 1, payload[:1400]) },
		"AppendV2Header":    func() { buf = AppendV2Header(buf[:0], V2Data, 1) },
		"AppendV1Data":      func() { buf, _ = AppendV1Data(buf[:0], 1, payload) },
		"AppendV2 WINDOW":   func() { buf, _ = AppendV2(buf[:0], V2Frame{Type: V2WindowUpdate, Stream: 1, Increment: 1}) },
		"DecodeV2 DATAGRAM": func() { sinkFrame, _ = DecodeV2(v2msg[:HeaderLen+1400]) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %.1f allocations per call, want 0", name, n)
		}
	}
}
