package host_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestPublicAPIValidate(t *testing.T) {
	if err := host.PublicAPIDefaults().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		p    host.PublicAPI
		want []string
	}{
		{host.PublicAPI{APIAddr: "nowhere", APIProxyProtocol: "required"}, []string{"WARDNET_API_ADDR"}},
		{host.PublicAPI{APIAddr: ":99999", APIProxyProtocol: "off"}, []string{"WARDNET_API_ADDR"}},
		{host.PublicAPI{APIAddr: ":8443", APIProxyProtocol: "sometimes"}, []string{"WARDNET_API_PROXY_PROTOCOL"}},
		{host.PublicAPI{APIAddr: "x", APIProxyProtocol: ""}, []string{"WARDNET_API_ADDR", "WARDNET_API_PROXY_PROTOCOL"}},
	} {
		err := tc.p.Validate()
		for _, v := range tc.want {
			if err == nil || !strings.Contains(err.Error(), v) {
				t.Errorf("%+v: %v, want an error naming %s", tc.p, err, v)
			}
		}
	}
}

// The public API on its own listener: a connection without the PROXY
// header is refused and logged, one with it is served and the handler
// sees the client's address; the ops listener does not serve the API; and
// the listener closes when the runtime stops.
func TestServeAPIOnItsOwnListener(t *testing.T) {
	t.Parallel()
	nt := testenv.StartNATS(t)
	db := testenv.Postgres(t)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, proxyproto.ClientIP(r))
	})
	r := start(t, config(t, nt.URL, db.URL), func(rt *host.Runtime) {
		if err := rt.ServeAPI(host.PublicAPI{APIAddr: "127.0.0.1:0", APIProxyProtocol: "required"}, api); err != nil {
			t.Fatal(err)
		}
	})
	addr := r.rt.APIAddr().String()
	if addr == r.rt.Addr().String() {
		t.Fatal("the API shares the ops listener")
	}
	if code, _ := get(t, r.base+"/anything"); code != http.StatusNotFound {
		t.Errorf("the ops listener answers the API's routes: %d", code)
	}

	// Without the header.
	if resp, err := http.Get("http://" + addr + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("a request without the PROXY header was answered %d", resp.StatusCode)
	}
	waitLog(t, r, "public connection refused")

	// With it.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "PROXY TCP4 198.51.100.7 127.0.0.1 40000 443\r\nGET / HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "198.51.100.7" {
		t.Errorf("through the PROXY header: %d %q", resp.StatusCode, body)
	}

	if err := r.shutdown(t); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the API listener is still open after the runtime stopped")
	}
}

// Without an address of its own, the API is served beside /healthz.
func TestServeAPIBesideHealthz(t *testing.T) {
	t.Parallel()
	nt := testenv.StartNATS(t)
	db := testenv.Postgres(t)
	r := start(t, config(t, nt.URL, db.URL), func(rt *host.Runtime) {
		if err := rt.ServeAPI(host.PublicAPIDefaults(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, "api")
		})); err != nil {
			t.Fatal(err)
		}
	})
	if r.rt.APIAddr().String() != r.rt.Addr().String() {
		t.Error("APIAddr is not the ops listener's")
	}
	if code, body := get(t, r.base+"/v1/x"); code != http.StatusOK || body != "api" {
		t.Errorf("GET /v1/x: %d %q", code, body)
	}
	if code, _ := get(t, r.base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz: %d", code)
	}
}

func waitLog(t *testing.T, r *running, s string) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, func() error {
		if !strings.Contains(r.log.String(), s) {
			return fmt.Errorf("the log does not say %q:\n%s", s, r.log)
		}
		return nil
	})
}
