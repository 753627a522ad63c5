package sni_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// errCaptured ends a client handshake once its hello has been written.
var errCaptured = errors.New("hello captured")

// captureConn records what a TLS client writes and fails its first read,
// so that the handshake stops right after the ClientHello.
type captureConn struct {
	written bytes.Buffer
}

func (c *captureConn) Read([]byte) (int, error)         { return 0, errCaptured }
func (c *captureConn) Write(b []byte) (int, error)      { return c.written.Write(b) }
func (c *captureConn) Close() error                     { return nil }
func (c *captureConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *captureConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *captureConn) SetDeadline(time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(time.Time) error { return nil }

// captureHello returns the records a crypto/tls client writes as its
// ClientHello under cfg.
func captureHello(tb testing.TB, cfg *tls.Config) []byte {
	tb.Helper()
	var conn captureConn
	err := tls.Client(&conn, cfg).Handshake()
	if !errors.Is(err, errCaptured) {
		tb.Fatalf("handshake ended with %v, want the capture to stop it", err)
	}
	return conn.written.Bytes()
}

// defaultHello is the hello of a client with Go's defaults (in this Go
// version, with an X25519MLKEM768 key share).
func defaultHello(tb testing.TB) []byte {
	return captureHello(tb, &tls.Config{ServerName: "app.home-lab.dyn.example.net"})
}

// largeHello is a hello of over 6 KiB, grown by offering many long ALPN
// protocols.
func largeHello(tb testing.TB) []byte {
	return captureHello(tb, &tls.Config{
		ServerName: "Home-Lab.dyn.example.net",
		NextProtos: protocols(30, 200),
	})
}

// protocols is n distinct ALPN protocol names of size bytes.
func protocols(n, size int) []string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = string(rune('a'+i%26)) + strings.Repeat("x", size-2) + string(rune('a'+i/26))
	}
	return ps
}

// handshakeMessage joins the bodies of the handshake records in wire.
func handshakeMessage(tb testing.TB, wire []byte) []byte {
	tb.Helper()
	var msg []byte
	for len(wire) > 0 {
		if len(wire) < 5 || wire[0] != 0x16 {
			tb.Fatalf("not a handshake record: % x", wire[:min(len(wire), 5)])
		}
		n := int(wire[3])<<8 | int(wire[4])
		msg = append(msg, wire[5:5+n]...)
		wire = wire[5+n:]
	}
	return msg
}

// records splits msg into handshake records whose bodies have the given
// sizes, the last taking the rest.
func records(msg []byte, sizes ...int) []byte {
	var out []byte
	for _, n := range sizes {
		n = min(n, len(msg))
		if n == 0 {
			break
		}
		out = append(out, record(0x16, msg[:n])...)
		msg = msg[n:]
	}
	for len(msg) > 0 {
		n := min(len(msg), 1<<14)
		out = append(out, record(0x16, msg[:n])...)
		msg = msg[n:]
	}
	return out
}

// record frames body as one TLS record of type typ.
func record(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 1, byte(len(body) >> 8), byte(len(body))}, body...)
}
