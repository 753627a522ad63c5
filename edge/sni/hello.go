package sni

import "fmt"

// ClientHello holds what the edge needs from a client's hello.
type ClientHello struct {
	// ServerName is the host_name of the server_name extension (RFC 6066
	// §3), lowercased. It is a valid DNS host name without a trailing
	// dot: a name sent with one is refused, as RFC 6066 says it is sent
	// without.
	ServerName string
	// ALPN lists the protocols of the application_layer_protocol_negotiation
	// extension (RFC 7301), in the client's order; nil when absent.
	ALPN []string
}

const (
	extensionServerName    = 0
	extensionALPN          = 16
	extensionPreSharedKey  = 41
	hostNameType           = 0
	maxSessionIDLen        = 32
	randomLen              = 32
	compressionMethodNull  = 0
	clientHelloFixedHeader = 2 + randomLen // legacy_version, random
)

// parseClientHello walks a whole ClientHello handshake message, header
// included (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
func parseClientHello(msg []byte) (ClientHello, error) {
	body := cursor(msg[handshakeHeaderLen:])
	if err := skipPreamble(&body); err != nil {
		return ClientHello{}, err
	}
	if body.empty() {
		// Extensions are optional before TLS 1.3; without them there
		// is no server name.
		return ClientHello{}, fmt.Errorf("%w: the ClientHello has no extensions", ErrNoServerName)
	}
	exts, ok := body.vector(2)
	if !ok || !body.empty() {
		return ClientHello{}, malformed("extensions block does not end with the message")
	}
	return readExtensions(exts)
}

// skipPreamble checks and skips what precedes the extensions.
func skipPreamble(c *cursor) error {
	fixed, ok := c.bytes(clientHelloFixedHeader)
	if !ok {
		return malformed("message shorter than version and random")
	}
	if fixed[0] != 3 || fixed[1] > 3 {
		return malformed("legacy_version 0x%02x%02x", fixed[0], fixed[1])
	}
	if id, ok := c.vector(1); !ok || len(id) > maxSessionIDLen {
		return malformed("legacy_session_id longer than %d bytes or past the message", maxSessionIDLen)
	}
	if suites, ok := c.vector(2); !ok || len(suites) == 0 || len(suites)%2 != 0 {
		return malformed("cipher_suites empty, odd or past the message")
	}
	return skipCompression(c)
}

// skipCompression checks legacy_compression_methods, which must offer
// null (RFC 5246 §7.4.1.2; exactly that in TLS 1.3).
func skipCompression(c *cursor) error {
	methods, ok := c.vector(1)
	if !ok || len(methods) == 0 {
		return malformed("compression_methods empty or past the message")
	}
	for _, m := range methods {
		if m == compressionMethodNull {
			return nil
		}
	}
	return malformed("compression_methods without null")
}

// readExtensions walks the extensions, each type at most once (RFC 8446
// §4.2), pre_shared_key last (§4.2.11), and reads the two the edge uses.
func readExtensions(exts cursor) (ClientHello, error) {
	var (
		hello ClientHello
		seen  extensionSet
	)
	for i := 0; !exts.empty(); i++ {
		typ, ok := exts.uint16()
		data, ok2 := exts.vector(2)
		if !ok || !ok2 {
			return ClientHello{}, malformed("extension %d runs past the extensions block", i)
		}
		if !seen.add(typ) {
			return ClientHello{}, malformed("extension %d appears twice", typ)
		}
		if typ == extensionPreSharedKey && !exts.empty() {
			return ClientHello{}, malformed("pre_shared_key is not the last extension")
		}
		if err := hello.read(typ, data); err != nil {
			return ClientHello{}, err
		}
	}
	if hello.ServerName == "" {
		return ClientHello{}, fmt.Errorf("%w: no server_name host_name", ErrNoServerName)
	}
	return hello, nil
}

// read takes what the hello needs from one extension.
func (h *ClientHello) read(typ int, data cursor) error {
	var err error
	switch typ {
	case extensionServerName:
		h.ServerName, err = readServerName(data)
	case extensionALPN:
		h.ALPN, err = readALPN(data)
	}
	return err
}

// readServerName reads the server_name extension (RFC 6066 §3): a
// non-empty list of (name_type, name), at most one of type host_name.
// Other name types, of which none is defined, are skipped.
func readServerName(data cursor) (string, error) {
	list, ok := data.vector(2)
	if !ok || !data.empty() || list.empty() {
		return "", malformed("server_name list empty or not the whole extension")
	}
	var host []byte
	for !list.empty() {
		typ, ok := list.uint8()
		name, ok2 := list.vector(2)
		if !ok || !ok2 || name.empty() {
			return "", malformed("server_name entry empty or past the list")
		}
		if typ != hostNameType {
			continue
		}
		if host != nil {
			return "", malformed("server_name has two host_name entries")
		}
		host = name
	}
	if host == nil {
		return "", fmt.Errorf("%w: server_name has no host_name entry", ErrNoServerName)
	}
	return parseHostName(host)
}

// readALPN reads the ALPN extension (RFC 7301 §3.1): a non-empty list of
// non-empty protocol names.
func readALPN(data cursor) ([]string, error) {
	list, ok := data.vector(2)
	if !ok || !data.empty() || list.empty() {
		return nil, malformed("ALPN list empty or not the whole extension")
	}
	var protos []string
	for !list.empty() {
		p, ok := list.vector(1)
		if !ok || p.empty() {
			return nil, malformed("ALPN protocol empty or past the list")
		}
		protos = append(protos, string(p))
	}
	return protos, nil
}

// extensionSet is a set of extension types, one bit each.
type extensionSet [1 << 16 / 64]uint64

// add adds t and reports whether it was absent.
func (s *extensionSet) add(t int) bool {
	word, bit := t/64, uint64(1)<<(t%64)
	if s[word]&bit != 0 {
		return false
	}
	s[word] |= bit
	return true
}
