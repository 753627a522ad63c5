package frame

import (
	"slices"
	"testing"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		offered []string
		want    Version
		echo    string
	}{
		{"an old daemon: no header", nil, V1, ""},
		{"an empty header", []string{""}, V1, ""},
		{"only commas", []string{" , ,"}, V1, ""},
		{"v1 explicitly", []string{SubprotocolV1}, V1, SubprotocolV1},
		{"v2 only", []string{SubprotocolV2}, V2, SubprotocolV2},
		{"both, v2 first", []string{"wardnet-tunnel.v2, wardnet-tunnel.v1"}, V2, SubprotocolV2},
		{"both, v1 first", []string{"wardnet-tunnel.v1,wardnet-tunnel.v2"}, V2, SubprotocolV2},
		{"both in two header values", []string{SubprotocolV1, SubprotocolV2}, V2, SubprotocolV2},
		{"unknown ones", []string{"wardnet-tunnel.v9, chat"}, V1, ""},
		{"a case difference", []string{"Wardnet-Tunnel.V2"}, V1, ""},
		{"v3 and v1", []string{"wardnet-tunnel.v3, wardnet-tunnel.v1"}, V1, SubprotocolV1},
	} {
		v, echo := Negotiate(tc.offered)
		if v != tc.want || echo != tc.echo {
			t.Errorf("%s: %s %q, want %s %q", tc.name, v, echo, tc.want, tc.echo)
		}
	}
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	for selected, want := range map[string]Version{"": V1, SubprotocolV1: V1, SubprotocolV2: V2} {
		if v, err := VersionOf(selected); err != nil || v != want {
			t.Errorf("%q: %s, %v; want %s", selected, v, err, want)
		}
	}
	for _, bad := range []string{"wardnet-tunnel.v3", "chat", " wardnet-tunnel.v2"} {
		if _, err := VersionOf(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSubprotocols(t *testing.T) {
	t.Parallel()
	if got := Subprotocols(); !slices.Equal(got, []string{SubprotocolV2, SubprotocolV1}) {
		t.Errorf("Subprotocols() = %q", got)
	}
	Subprotocols()[0] = "changed"
	if Subprotocols()[0] != SubprotocolV2 {
		t.Error("a caller can change the node's list")
	}
	for v, want := range map[Version]string{V1: SubprotocolV1, V2: SubprotocolV2, 3: ""} {
		if got := v.Subprotocol(); got != want {
			t.Errorf("%s: %q, want %q", v, got, want)
		}
	}
	if V2.String() != "v2" || Version(7).String() != "version(7)" {
		t.Error("version names")
	}
}

func TestCloseCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for c := CloseDisplaced; c <= ClosePolicy; c++ {
		if c < 4000 || c > 4999 {
			t.Errorf("%d is outside the application range", c)
		}
		name := c.String()
		if seen[name] || name == "" || name[0] == 'c' && name[:6] == "close(" {
			t.Errorf("%d: name %q", c, name)
		}
		seen[name] = true
	}
	if CloseCode(4999).String() != "close(4999)" {
		t.Error("unknown code name")
	}
}
