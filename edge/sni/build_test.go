package sni_test

import "bytes"

// helloParts are the fields of a ClientHello body, already encoded, so a
// test can break one of them and keep the rest valid.
type helloParts struct {
	version, random, sessionID, suites, compression []byte
	extensions                                      []byte // the whole block, length included; nil for none
	trailing                                        []byte
}

// validParts is a small, valid TLS 1.3 style ClientHello.
func validParts() helloParts {
	return helloParts{
		version:     []byte{3, 3},
		random:      bytes.Repeat([]byte{0xab}, 32),
		sessionID:   v8(bytes.Repeat([]byte{0xcd}, 32)),
		suites:      v16([]byte{0x13, 0x01, 0x13, 0x02, 0x13, 0x03}),
		compression: v8([]byte{0}),
		extensions: v16(join(
			sniExt("app.home-lab.dyn.example.net"),
			ext(43, v8([]byte{3, 4})), // supported_versions
			alpnExt("h2", "http/1.1"),
		)),
	}
}

// message is the handshake message: type, 24-bit length, body.
func (p helloParts) message() []byte {
	body := join(p.version, p.random, p.sessionID, p.suites, p.compression, p.extensions, p.trailing)
	return append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// wire is the message in one record.
func (p helloParts) wire() []byte { return record(0x16, p.message()) }

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func v8(b []byte) []byte  { return append([]byte{byte(len(b))}, b...) }
func v16(b []byte) []byte { return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...) }

func ext(typ int, data []byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ)}, v16(data)...)
}

// sniExt is a server_name extension with one host_name.
func sniExt(name string) []byte { return ext(0, v16(sniEntry(0, name))) }

func sniEntry(typ byte, name string) []byte { return append([]byte{typ}, v16([]byte(name))...) }

func alpnExt(protos ...string) []byte {
	var list []byte
	for _, p := range protos {
		list = append(list, v8([]byte(p))...)
	}
	return ext(16, v16(list))
}
