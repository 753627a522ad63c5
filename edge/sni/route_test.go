package sni_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/edge/sni"
)

func TestRoute(t *testing.T) {
	t.Parallel()
	zone, err := sni.ParseZone("Dyn.Example.NET.")
	if err != nil || zone.String() != "dyn.example.net" {
		t.Fatalf("ParseZone = %v, %v", zone, err)
	}
	for _, tc := range []struct {
		name string
		want naming.Slug
		err  error
	}{
		{"home-lab.dyn.example.net", "home-lab", nil},
		{"app.home-lab.dyn.example.net", "home-lab", nil},
		{"a.b.c.home-lab.dyn.example.net", "home-lab", nil},
		{"APP.Home-Lab.DYN.example.net", "home-lab", nil},
		{"xn--bcher-kva.dyn.example.net", "xn--bcher-kva", nil},
		{"123.dyn.example.net", "123", nil},

		{"dyn.example.net", "", sni.ErrZoneApex},
		{"DYN.EXAMPLE.NET", "", sni.ErrZoneApex},
		{"example.net", "", sni.ErrOutsideZone},
		{"home-lab.example.net", "", sni.ErrOutsideZone},
		{"home-labdyn.example.net", "", sni.ErrOutsideZone},
		{"home-lab.xdyn.example.net", "", sni.ErrOutsideZone},
		{"home-lab.dyn.example.net.evil.com", "", sni.ErrOutsideZone},
		{"ab.dyn.example.net", "", sni.ErrInvalidSlug},
		{"home-lab.ab.dyn.example.net", "", sni.ErrInvalidSlug},
		{strings.Repeat("a", 33) + ".dyn.example.net", "", sni.ErrInvalidSlug},
		{"www.dyn.example.net", "", sni.ErrInvalidSlug},
		{"app.www.dyn.example.net", "", sni.ErrInvalidSlug},
		{"home-lab.dyn.example.net.", "", sni.ErrInvalidServerName},
		{"app..home-lab.dyn.example.net", "", sni.ErrInvalidServerName},
		{"", "", sni.ErrInvalidServerName},
	} {
		slug, err := zone.Route(tc.name)
		if slug != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Route(%q) = %q, %v; want %q, %v", tc.name, slug, err, tc.want, tc.err)
		}
	}
	if _, err := zone.Route("www.dyn.example.net"); !errors.Is(err, naming.ErrReservedSlug) {
		t.Errorf("a reserved slug: %v, want naming's reason wrapped", err)
	}
}

func TestParseZone(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"dyn.example.net", "net", "my.wardnet.services."} {
		if _, err := sni.ParseZone(s); err != nil {
			t.Errorf("ParseZone(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", ".", "192.0.2.1", "dyn..example.net", "dyn.example.net..", "*.example.net", "dyn_example.net"} {
		if _, err := sni.ParseZone(s); !errors.Is(err, sni.ErrInvalidZone) {
			t.Errorf("ParseZone(%q) = %v, want ErrInvalidZone", s, err)
		}
	}
	var zero sni.Zone
	if _, err := zero.Route("home-lab.dyn.example.net"); !errors.Is(err, sni.ErrOutsideZone) {
		t.Errorf("the zero Zone routed: %v", err)
	}
}
