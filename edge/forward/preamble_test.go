package forward_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/forward"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const netID = ids.NetworkID("6f1c2e4a-8b3d-4c5e-9f70-123456789abc")

// preambleVectors are the golden preambles, by the name
// testdata/golden_preamble.txt gives them.
var preambleVectors = map[string]forward.Preamble{
	"ipv4": {Slug: "home-lab", NetworkID: netID, DestPort: 443,
		Client: netip.MustParseAddrPort("203.0.113.7:51234"), FirstBytes: []byte{0x16, 0x03, 0x01, 0x00, 0x01, 0x01}},
	"ipv6": {Slug: "home-lab", NetworkID: netID, DestPort: 853,
		Client: netip.MustParseAddrPort("[2001:db8::1]:40000"), FirstBytes: []byte("hello")},
	"no-client-no-bytes": {Slug: "abc", NetworkID: netID, DestPort: 443},
}

// The preamble's encoding never changes silently: a node of the previous
// build must read what this one writes.
func TestPreambleGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "golden_preamble.txt")
	got := map[string][]byte{}
	for name, p := range preambleVectors {
		b, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = b
	}
	if *update {
		var b strings.Builder
		for _, n := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&b, "%s %x\n", n, got[n])
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readGolden(t, path)
	if len(want) != len(got) {
		t.Errorf("%s has %d vectors, the test %d", path, len(want), len(got))
	}
	for name, g := range got {
		if !bytes.Equal(g, want[name]) {
			t.Errorf("%s: %s is %x, want %x (if the change is intended, bump forward.Version and run go test -update)", path, name, g, want[name])
		}
		p, err := forward.ReadPreamble(bytes.NewReader(want[name]))
		if err != nil || !samePreamble(p, preambleVectors[name]) {
			t.Errorf("%s: read back %+v, %v", name, p, err)
		}
	}
}

func readGolden(t *testing.T, path string) map[string][]byte {
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

// ReadPreamble reads the preamble and not one byte of the stream after
// it, even from a reader that would give more.
func TestReadPreambleStopsAtItsEnd(t *testing.T) {
	t.Parallel()
	for name, p := range preambleVectors {
		b, _ := p.AppendBinary(nil)
		r := bytes.NewReader(append(b, "stream bytes"...))
		got, err := forward.ReadPreamble(r)
		if err != nil || !samePreamble(got, p) {
			t.Fatalf("%s: %+v, %v", name, got, err)
		}
		if rest, _ := io.ReadAll(r); string(rest) != "stream bytes" {
			t.Fatalf("%s: left %q", name, rest)
		}
	}
}

func TestReadPreambleRefuses(t *testing.T) {
	t.Parallel()
	valid, _ := preambleVectors["ipv4"].AppendBinary(nil)
	with := func(i int, b ...byte) []byte {
		out := bytes.Clone(valid)
		return append(out[:i], append(b, out[i+len(b):]...)...)
	}
	const slugAt, netAt = 5, 5 + 1 + 8
	portAt := netAt + 1 + 36
	famAt := portAt + 2
	firstAt := famAt + 1 + 4 + 2
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, forward.ErrTruncated},
		{"magic only", valid[:4], forward.ErrTruncated},
		{"cut in the first bytes", valid[:len(valid)-1], forward.ErrTruncated},
		{"bad magic", with(0, 'X'), forward.ErrBadMagic},
		{"version 0", with(4, 0), forward.ErrUnsupportedVersion},
		{"version 2", with(4, 2), forward.ErrUnsupportedVersion},
		{"empty slug", with(slugAt, 0), forward.ErrMalformed},
		{"slug over 64", with(slugAt, 65), forward.ErrMalformed},
		{"slug not a slug", with(slugAt+1, 'H'), forward.ErrMalformed},
		{"network id not a UUID", with(netAt+1, 'X'), forward.ErrMalformed},
		{"network id over 64", with(netAt, 65), forward.ErrMalformed},
		{"port 0", with(portAt, 0, 0), forward.ErrMalformed},
		{"family 5", with(famAt, 5), forward.ErrMalformed},
		{"first bytes over 16 KiB", with(firstAt, 0x40, 0x01), forward.ErrMalformed},
	} {
		p, err := forward.ReadPreamble(bytes.NewReader(tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %+v, %v; want %v", tc.name, p, err, tc.want)
		}
		if forward.PreambleReason(err) == forward.ReasonReadError {
			t.Errorf("%s: reason read_error for %v", tc.name, err)
		}
	}
	if _, err := forward.ReadPreamble(iotest.ErrReader(errors.New("boom"))); forward.PreambleReason(err) != forward.ReasonReadError {
		t.Errorf("a failing reader: %v", err)
	}
}

// AppendBinary refuses what ReadPreamble would.
func TestAppendPreambleRefuses(t *testing.T) {
	t.Parallel()
	ok := preambleVectors["ipv4"]
	for name, mutate := range map[string]func(*forward.Preamble){
		"bad slug":             func(p *forward.Preamble) { p.Slug = "Home" },
		"bad network":          func(p *forward.Preamble) { p.NetworkID = "n1" },
		"port 0":               func(p *forward.Preamble) { p.DestPort = 0 },
		"too many first bytes": func(p *forward.Preamble) { p.FirstBytes = make([]byte, forward.MaxFirstBytes+1) },
	} {
		p := ok
		mutate(&p)
		if b, err := p.AppendBinary(nil); !errors.Is(err, forward.ErrMalformed) || len(b) != 0 {
			t.Errorf("%s: %x, %v; want ErrMalformed", name, b, err)
		}
	}
	p := ok
	p.FirstBytes = make([]byte, forward.MaxFirstBytes)
	b, err := p.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := forward.ReadPreamble(bytes.NewReader(b)); err != nil || !samePreamble(got, p) {
		t.Fatalf("largest first bytes: %v", err)
	}
}

func samePreamble(a, b forward.Preamble) bool {
	return a.Slug == b.Slug && a.NetworkID == b.NetworkID && a.DestPort == b.DestPort &&
		a.Client == b.Client && bytes.Equal(a.FirstBytes, b.FirstBytes)
}
