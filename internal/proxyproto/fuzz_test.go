package proxyproto

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzConn feeds arbitrary bytes to a Required connection: it never
// panics, and either refuses them with one of its errors, or yields a
// source address and exactly the bytes after a valid header.
func FuzzConn(f *testing.F) {
	f.Add([]byte("PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\nGET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\nrest"))
	f.Add([]byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"))
	f.Add([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\xc0\x00\x02\x01\xc8\x22\x01\xbbtail"))
	f.Add([]byte("\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"))
	f.Add([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x21\x00\x24" + string(make([]byte, 36))))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		go func() {
			_, _ = client.Write(data)
			client.Close()
		}()
		c := newConn(server, options{headerTimeout: 5 * time.Second})
		defer c.Close()
		rest, err := io.ReadAll(c)
		if err != nil {
			if !errors.Is(err, ErrMissingHeader) && !errors.Is(err, ErrInvalidHeader) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		src, err := c.Source()
		if err != nil || !src.Addr().IsValid() {
			t.Fatalf("accepted without a source: %v", err)
		}
		if len(rest) > len(data) || string(data[len(data)-len(rest):]) != string(rest) {
			t.Fatal("the bytes after the header are not a suffix of the input")
		}
		header := data[:len(data)-len(rest)]
		got, err := parse(header)
		if err != nil || got != src {
			t.Fatalf("the consumed prefix %q is not the header (%v, %v)", header, got, err)
		}
	})
}
