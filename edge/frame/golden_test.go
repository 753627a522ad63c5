package frame

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// specPath is the specification whose golden table must list exactly the
// vectors of testdata.
const specPath = "../../docs/api/tunnel-protocol.md"

// v1Vectors are the golden v1 frames, by the name the specification and
// testdata/golden_v1.txt give them.
var v1Vectors = []struct {
	name string
	f    V1Frame
}{
	{"v1-connect", V1Frame{Type: V1Connect, Conn: 1, DestPort: 443}},
	{"v1-connect-dot", V1Frame{Type: V1Connect, Conn: 0x01020304, DestPort: 853}},
	{"v1-ready", V1Frame{Type: V1Ready, Conn: 1}},
	{"v1-data", V1Frame{Type: V1Data, Conn: 1, Payload: []byte("hello")}},
	{"v1-data-empty", V1Frame{Type: V1Data, Conn: 1}},
	{"v1-close", V1Frame{Type: V1Close, Conn: 1}},
	{"v1-ping", V1Frame{Type: V1Ping}},
	{"v1-pong", V1Frame{Type: V1Pong}},
}

var opaque = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}

// v2Vectors are the golden v2 frames.
var v2Vectors = []struct {
	name string
	f    V2Frame
}{
	{"v2-open-ipv4", V2Frame{Type: V2Open, Stream: 1, DestPort: 443, Client: netip.MustParseAddrPort("203.0.113.7:51234")}},
	{"v2-open-ipv6", V2Frame{Type: V2Open, Stream: 3, DestPort: 853, Client: netip.MustParseAddrPort("[2001:db8::1]:40000")}},
	{"v2-open-unknown-client", V2Frame{Type: V2Open, Stream: 5, DestPort: 443}},
	{"v2-open-ok", V2Frame{Type: V2OpenOK, Stream: 1}},
	{"v2-data", V2Frame{Type: V2Data, Stream: 1, Payload: []byte("hello")}},
	{"v2-data-empty", V2Frame{Type: V2Data, Stream: 1}},
	{"v2-close", V2Frame{Type: V2Close, Stream: 1}},
	{"v2-ping", V2Frame{Type: V2Ping, Opaque: opaque}},
	{"v2-pong", V2Frame{Type: V2Pong, Opaque: opaque}},
	{"v2-open-refused", V2Frame{Type: V2OpenRefused, Stream: 1, Refuse: RefuseConnectFailed}},
	{"v2-window-update", V2Frame{Type: V2WindowUpdate, Stream: 1, Increment: InitialWindow / 2}},
	{"v2-reset", V2Frame{Type: V2Reset, Stream: 1, Reset: ResetFlowControl}},
	{"v2-goaway-hint", V2Frame{Type: V2GoAway, GoAway: GoAwayDraining, Hint: "node-2.tunnel.example"}},
	{"v2-goaway", V2Frame{Type: V2GoAway, GoAway: GoAwayShutdown, LastStream: 7}},
	{"v2-flow-open", V2Frame{Type: V2FlowOpen, Stream: 9, DestPort: 51820, Client: netip.MustParseAddrPort("198.51.100.5:41641")}},
	{"v2-datagram", V2Frame{Type: V2Datagram, Stream: 9, Payload: []byte{0x01, 0x00, 0x00, 0x00}}},
}

func encodeV1Vectors(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, v := range v1Vectors {
		b, err := AppendV1(nil, v.f)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		out[v.name] = b
	}
	return out
}

func encodeV2Vectors(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, v := range v2Vectors {
		b, err := AppendV2(nil, v.f)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		out[v.name] = b
	}
	return out
}

// The encodings of the golden frames never change silently.
func TestGoldenVectors(t *testing.T) {
	t.Parallel()
	golden(t, "golden_v1.txt", encodeV1Vectors(t))
	golden(t, "golden_v2.txt", encodeV2Vectors(t))
}

// golden compares vectors with testdata/name ("name hex" lines), or
// rewrites the file under -update.
func golden(t *testing.T, name string, vectors map[string][]byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var b strings.Builder
		for _, n := range slices.Sorted(maps.Keys(vectors)) {
			fmt.Fprintf(&b, "%s %x\n", n, vectors[n])
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readGolden(t, path)
	compareVectors(t, path, vectors, want)
}

func readGolden(t testing.TB, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	out := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, h, ok := strings.Cut(sc.Text(), " ")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		out[name] = b
	}
	return out
}

func compareVectors(t *testing.T, where string, got, want map[string][]byte) {
	t.Helper()
	for name, g := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s lacks %s (%x)", where, name, g)
		case !bytes.Equal(g, w):
			t.Errorf("%s: %s is %x, want %x (a golden vector never changes silently: if the change is intended, run go test -update, update the specification and explain it in the commit)", where, name, g, w)
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s has %s, which no test frame produces", where, name)
		}
	}
}

// The specification's golden table lists exactly the vectors of testdata,
// byte for byte (its hex is grouped by field with spaces).
func TestSpecificationMatchesGoldenVectors(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	fromSpec := map[string][]byte{}
	for line := range strings.Lines(string(data)) {
		if !strings.HasPrefix(line, "| `v1-") && !strings.HasPrefix(line, "| `v2-") {
			continue
		}
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 4 {
			t.Fatalf("%s: golden row %q has too few cells", specPath, line)
		}
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		h := strings.ReplaceAll(strings.Trim(strings.TrimSpace(cells[len(cells)-2]), "`"), " ", "")
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %s: %v", specPath, name, err)
		}
		fromSpec[name] = b
	}
	want := readGolden(t, filepath.Join("testdata", "golden_v1.txt"))
	for k, v := range readGolden(t, filepath.Join("testdata", "golden_v2.txt")) {
		want[k] = v
	}
	compareVectors(t, specPath, fromSpec, want)
}
