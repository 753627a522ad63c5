package host

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// PublicAPI configures the listener of a service's public API (the one
// daemons and people reach through the L4 proxy). Services that have one
// embed it in their configuration beside Config.
type PublicAPI struct {
	// APIAddr is the public API's own listener, behind the L4 proxy. Empty
	// serves the API on WARDNET_HTTP_ADDR beside /healthz, without PROXY
	// protocol: development and tests only.
	APIAddr string `envconfig:"WARDNET_API_ADDR"`
	// APIProxyProtocol is "required" (production) or "off" for APIAddr.
	APIProxyProtocol string `envconfig:"WARDNET_API_PROXY_PROTOCOL"`
}

// PublicAPIDefaults is the public listener's configuration before the
// environment is read: PROXY protocol required.
func PublicAPIDefaults() PublicAPI { return PublicAPI{APIProxyProtocol: "required"} }

// Validate reports every invalid setting at once, naming the variables.
func (p PublicAPI) Validate() error {
	var errs []error
	if p.APIAddr != "" {
		if _, port, err := net.SplitHostPort(p.APIAddr); err != nil {
			errs = append(errs, fmt.Errorf("WARDNET_API_ADDR: %q is not host:port", p.APIAddr))
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("WARDNET_API_ADDR: %q: bad port", p.APIAddr))
		}
	}
	if _, err := proxyproto.ParseMode(p.APIProxyProtocol); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_API_PROXY_PROTOCOL: %w", err))
	}
	return errors.Join(errs...)
}

// ServeAPI serves h as the public API: on a listener of its own at
// p.APIAddr, which takes the PROXY protocol as p.APIProxyProtocol says and
// refuses (and logs) connections without it; or, when p.APIAddr is empty,
// on the ops listener beside /healthz. Run serves it beside the ops
// listener and shuts both down before it stops the components. It is
// called once, before Run.
func (r *Runtime) ServeAPI(p PublicAPI, h http.Handler) error {
	if p.APIAddr == "" {
		r.Handle("/", h)
		return nil
	}
	mode, err := proxyproto.ParseMode(p.APIProxyProtocol)
	if err != nil {
		return fmt.Errorf("WARDNET_API_PROXY_PROTOCOL: %w", err)
	}
	ln, err := proxyproto.Listen("tcp", p.APIAddr, mode, proxyproto.OnReject(func(peer net.Addr, err error) {
		r.log.Warn("public connection refused", "peer", peer.String(), "err", err)
	}))
	if err != nil {
		return fmt.Errorf("WARDNET_API_ADDR: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.api != nil {
		_ = ln.Close()
		return errors.New("service: ServeAPI called twice")
	}
	r.api, r.apiServer = r.limitConns(ln), r.newServer(h)
	return nil
}

// APIAddr is the address of the public API: its own listener's, or the
// ops listener's when it shares that one.
func (r *Runtime) APIAddr() net.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.api != nil {
		return r.api.Addr()
	}
	return r.ln.Addr()
}
