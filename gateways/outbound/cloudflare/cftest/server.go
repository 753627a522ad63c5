package cftest

import (
	"net/http/httptest"
	"testing"
)

// Server is a Fake behind an httptest server with one zone ready.
type Server struct {
	*Fake
	// URL is the API base to give a client: http://127.0.0.1:port/client/v4/
	URL string
	// ZoneID and ZoneName are the zone the server starts with.
	ZoneID, ZoneName string
}

// NewServer starts a fake Cloudflare that accepts token and holds one zone,
// example.net, and stops it when the test ends.
func NewServer(t testing.TB, token string, opts ...Option) *Server {
	t.Helper()
	f := New(token, opts...)
	const zoneName = "example.net"
	zoneID := f.AddZone(zoneName)
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return &Server{Fake: f, URL: ts.URL + apiPrefix + "/", ZoneID: zoneID, ZoneName: zoneName}
}
