package ddnsapi

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// The dyndns2 update protocol (Dyn's Remote Access API), for the stock
// clients of routers and ddclient: GET /nic/update?hostname=…&myip=… with
// HTTP Basic, an update credential of the network. The answer is
// text/plain, one return code per hostname in their order, or one code
// for the whole request when the failure is the account's or the
// system's. docs/ddns.md lists where this differs from Dyn.

// The return codes.
const (
	dynGood    = "good"    // the address changed: "good <ip>"
	dynNochg   = "nochg"   // the address was already set: "nochg <ip>"
	dynBadAuth = "badauth" // no, wrong or revoked credential
	dynNoHost  = "nohost"  // not the credential's network's name
	dynNotFQDN = "notfqdn" // not a fully-qualified name under the zone, or none
	dynNumHost = "numhost" // more than maxHostnames names
	dynAbuse   = "abuse"   // throttled
	dynBadIP   = "badip"   // no public address to set (not Dyn's; see docs/ddns.md)
	dyn911     = "911"     // our failure, or credentials we cannot check yet: try again later
)

// maxHostnames is Dyn's limit of names per request.
const maxHostnames = 20

// maxAddresses bounds the myip entries looked at: one of each family is
// all an update takes.
const maxAddresses = 4

// updateQuery is what a dyndns2 request asks for.
type updateQuery struct {
	// hostnames are the hostname entries as sent, trimmed, in order; nil
	// when there are none, and at most maxHostnames+1 (more is numhost).
	hostnames []string
	// addresses are the myip and myipv6 entries, as sent, at most
	// maxAddresses.
	addresses []string
}

// parseUpdateQuery reads the query of /nic/update. Dyn's other parameters
// (system, wildcard, mx, backmx, offline) are ignored; so are escapes
// that do not decode, as url.ParseQuery leaves them.
func parseUpdateQuery(raw string) updateQuery {
	vals, _ := url.ParseQuery(raw) // what decodes is kept
	var q updateQuery
	if h := strings.TrimSpace(vals.Get("hostname")); h != "" {
		for name := range strings.SplitSeq(h, ",") {
			if len(q.hostnames) > maxHostnames {
				break
			}
			q.hostnames = append(q.hostnames, strings.TrimSpace(name))
		}
	}
	for _, key := range []string{"myip", "myipv6"} {
		for a := range strings.SplitSeq(vals.Get(key), ",") {
			if a = strings.TrimSpace(a); a != "" && len(q.addresses) < maxAddresses {
				q.addresses = append(q.addresses, a)
			}
		}
	}
	return q
}

// updateAddresses is what a request sets: the first well-formed address of
// each family among the myip entries; an entry that is not an address is
// ignored, as Dyn's protocol says, and none at all leaves the client's
// address. Whether they are public is the commands' decision.
func updateAddresses(entries []string, client netip.Addr) []netip.Addr {
	var v4, v6 netip.Addr
	for _, e := range entries {
		a, err := netip.ParseAddr(e)
		if err != nil || a.Zone() != "" {
			continue
		}
		a = a.Unmap()
		switch {
		case a.Is4() && !v4.IsValid():
			v4 = a
		case a.Is6() && !v6.IsValid():
			v6 = a
		}
	}
	var out []netip.Addr
	for _, a := range []netip.Addr{v4, v6} {
		if a.IsValid() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = append(out, client.Unmap())
	}
	return out
}

// dyndnsUpdate is GET /nic/update.
func (a *api) dyndnsUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clientIP := proxyproto.ClientIP(r)
	if err := a.cmd.AdmitClient(ctx, clientIP); err != nil {
		a.dynAnswer(w, r, a.dynCode(r, err))
		return
	}
	username, secret, ok := basicAuth(r)
	if !ok {
		// A challenge, so that clients which send credentials only when
		// asked (wget, some routers) send them.
		w.Header().Set("WWW-Authenticate", `Basic realm="wardnet ddns", charset="UTF-8"`)
		writeText(w, http.StatusUnauthorized, dynBadAuth)
		return
	}
	q := parseUpdateQuery(r.URL.RawQuery)
	client, err := a.cmd.Authenticate(ctx, ddns.Authenticate{Username: username, Secret: secret, Kind: network.CredentialUpdate})
	elsewhere := errors.Is(err, ddns.ErrNotServedHere) // a good credential, its names not here
	if err != nil && !elsewhere {
		a.dynAnswer(w, r, a.dynCode(r, err))
		return
	}
	switch {
	case len(q.hostnames) == 0:
		a.dynAnswer(w, r, dynNotFQDN)
		return
	case len(q.hostnames) > maxHostnames:
		a.dynAnswer(w, r, dynNumHost)
		return
	case elsewhere:
		a.dynAnswer(w, r, repeat(dynNoHost, len(q.hostnames))...)
		return
	}
	if err := a.cmd.AdmitUpdate(ctx, client); err != nil {
		a.dynAnswer(w, r, a.dynCode(r, err))
		return
	}
	addrs := updateAddresses(q.addresses, clientIP)
	lines := make([]string, 0, len(q.hostnames))
	updated := false // a credential has one name: once it is written, later copies change nothing
	for _, h := range q.hostnames {
		if err := a.cmd.CheckHostname(ddns.CheckHostname{Client: client, Hostname: h}); err != nil {
			lines = append(lines, a.dynCode(r, err))
			continue
		}
		if updated {
			lines = append(lines, dynNochg+" "+joinAddrs(addrs))
			continue
		}
		changed, err := a.cmd.UpdateAddress(ctx, ddns.UpdateAddress{Client: client, Addresses: addrs})
		switch {
		case errors.Is(err, ddns.ErrNotServedHere):
			lines = append(lines, dynNoHost)
			continue
		case err != nil:
			// The address, the credential or the system: the request's
			// failure, answered once.
			a.dynAnswer(w, r, a.dynCode(r, err))
			return
		}
		updated = true
		code := dynNochg
		if changed {
			code = dynGood
		}
		lines = append(lines, code+" "+joinAddrs(addrs))
	}
	a.dynAnswer(w, r, lines...)
}

// dynCode is the return code of a refused step; an internal failure is
// logged and answered 911.
func (a *api) dynCode(r *http.Request, err error) string {
	switch {
	case errors.Is(err, ddns.ErrThrottled):
		return dynAbuse
	case errors.Is(err, ddns.ErrBadCredentials):
		return dynBadAuth
	case errors.Is(err, ddns.ErrNotFQDN):
		return dynNotFQDN
	case errors.Is(err, ddns.ErrNoHost), errors.Is(err, ddns.ErrNotServedHere):
		return dynNoHost
	case errors.Is(err, ddns.ErrBadAddress):
		return dynBadIP
	case errors.Is(err, ddns.ErrUnavailable):
		a.log.WarnContext(r.Context(), "dyndns2 update cannot be answered now", "err", err)
		return dyn911
	}
	a.log.ErrorContext(r.Context(), "dyndns2 update failed", "err", err)
	return dyn911
}

// dynAnswer answers 200 with the return codes, one per line, and logs
// them at debug (never a name, an address or a credential).
func (a *api) dynAnswer(w http.ResponseWriter, r *http.Request, lines ...string) {
	codes := make([]string, len(lines))
	for i, l := range lines {
		codes[i], _, _ = strings.Cut(l, " ")
	}
	a.log.DebugContext(r.Context(), "dyndns2 answered", "codes", strings.Join(codes, ","))
	writeText(w, http.StatusOK, lines...)
}

// writeText answers status with lines, each ending in a line break, as
// text/plain; no cache may keep it.
func writeText(w http.ResponseWriter, status int, lines ...string) {
	body := strings.Join(lines, "\n") + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
