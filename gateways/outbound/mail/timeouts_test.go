package mail

import (
	"net/http"
	"testing"
)

// The default client has the contract's timeouts and does not follow
// redirects (which would carry the key elsewhere).
func TestDefaultClient(t *testing.T) {
	c := defaultClient()
	if c.Timeout != RequestTimeout || RequestTimeout.Seconds() != 30 {
		t.Fatalf("request timeout %s", c.Timeout)
	}
	tr := c.Transport.(*http.Transport)
	if tr.TLSHandshakeTimeout != ConnectTimeout || ConnectTimeout.Seconds() != 10 {
		t.Fatalf("handshake timeout %s", tr.TLSHandshakeTimeout)
	}
	if c.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Fatal("redirects are followed")
	}
}
