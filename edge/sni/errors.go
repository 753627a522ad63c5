package sni

import (
	"errors"
	"fmt"
	"os"
)

// Refusals of ReadClientHello. Each is a distinct reason the listener drops
// a connection; errors.Is tells them apart, Reason names them.
var (
	// ErrNotTLS: the first byte is not a TLS handshake record (0x16), as
	// when plaintext HTTP reaches a TLS port.
	ErrNotTLS = errors.New("not a TLS handshake")
	// ErrTooLarge: the ClientHello would take more bytes than the limit.
	ErrTooLarge = errors.New("ClientHello too large")
	// ErrTruncated: the stream ended before the ClientHello did. The
	// error also wraps io.EOF (nothing read at all) or io.ErrUnexpectedEOF.
	ErrTruncated = errors.New("ClientHello truncated")
	// ErrMalformed: the records or the ClientHello break the TLS framing
	// rules; the message says where.
	ErrMalformed = errors.New("malformed ClientHello")
	// ErrNoServerName: a well-formed ClientHello without a host_name in its
	// server_name extension.
	ErrNoServerName = errors.New("ClientHello has no server name")
	// ErrInvalidServerName: the host_name is not a DNS host name.
	ErrInvalidServerName = errors.New("invalid server name")
)

// Refusals of Zone.Route.
var (
	// ErrOutsideZone: the name is not below the zone.
	ErrOutsideZone = errors.New("server name outside the zone")
	// ErrZoneApex: the name is the zone itself, which names no network.
	ErrZoneApex = errors.New("server name is the zone apex")
	// ErrInvalidSlug: the label before the zone is not a slug a network
	// can hold; the error also wraps naming's reason.
	ErrInvalidSlug = errors.New("server name has no valid slug")
)

// ErrInvalidZone is returned by ParseZone for a zone that is not a DNS
// name; it is a configuration error, not a refusal.
var ErrInvalidZone = errors.New("invalid zone")

// reasons maps each refusal to its stable metric label, most specific
// first.
var reasons = []struct {
	err   error
	label string
}{
	{ErrNotTLS, "not_tls"},
	{ErrTooLarge, "too_large"},
	{ErrTruncated, "truncated"},
	{ErrMalformed, "malformed"},
	{ErrNoServerName, "no_server_name"},
	{ErrInvalidServerName, "invalid_server_name"},
	{ErrOutsideZone, "outside_zone"},
	{ErrZoneApex, "zone_apex"},
	{ErrInvalidSlug, "invalid_slug"},
	{os.ErrDeadlineExceeded, "timeout"},
}

// Reason is a stable, low-cardinality label for why err refused a
// connection, for counting refusals in a metric: one of not_tls, too_large,
// truncated, malformed, no_server_name, invalid_server_name, outside_zone,
// zone_apex, invalid_slug, timeout (the read deadline passed), or read_error
// for any other failure to read. It is "" for a nil error.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return "read_error"
}

// malformed builds an ErrMalformed with the detail of where.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
