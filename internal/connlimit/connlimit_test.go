package connlimit_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/connlimit"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// echoServer serves ln: each connection gets back every line it sends.
// The returned channel gets every connection's first Read error
// (connlimit.ErrTooManyConns for a refused one), once that connection is
// closed.
func echoServer(t *testing.T, ln net.Listener) <-chan error {
	t.Helper()
	errs := make(chan error, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						c.Close() // before the error is told: the count is released
						errs <- err
						return
					}
					if _, err := io.WriteString(c, line); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return errs
}

// dial opens a connection that the PROXY header says comes from src, and
// checks that it echoes.
func dial(t *testing.T, addr, src string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fam, dst := "TCP4", "192.0.2.1"
	if netip.MustParseAddr(src).Is6() {
		fam, dst = "TCP6", "2001:db8::443"
	}
	fmt.Fprintf(c, "PROXY %s %s %s 40000 443\r\n", fam, src, dst)
	return c, bufio.NewReader(c)
}

func echoes(c net.Conn, r *bufio.Reader) (string, error) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

func listen(t *testing.T, max int, refuse func(net.Conn, netip.Addr)) (string, *connlimit.Counter, <-chan error) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counter := connlimit.NewCounter(max)
	ln := connlimit.Wrap(proxyproto.Wrap(raw, proxyproto.Required), counter, connlimit.Options{Refuse: refuse})
	return raw.Addr().String(), counter, echoServer(t, ln)
}

// A client at the cap is refused, with the refusal's last words, while
// another client is served; once one of its connections closes, it is
// admitted again. An IPv6 client counts by its /64.
func TestCapPerClient(t *testing.T) {
	t.Parallel()
	addr, counter, errs := listen(t, 2, func(c net.Conn, client netip.Addr) {
		fmt.Fprintf(c, "refused %s\n", client)
	})
	client := netip.MustParsePrefix("2001:db8:7:7::/64")
	a1, r1 := dial(t, addr, "2001:db8:7:7::1")
	a2, r2 := dial(t, addr, "2001:db8:7:7::2")
	for _, c := range []struct {
		c net.Conn
		r *bufio.Reader
	}{{a1, r1}, {a2, r2}} {
		if got, err := echoes(c.c, c.r); err != nil || got != "ping\n" {
			t.Fatalf("admitted connection: %q, %v", got, err)
		}
	}
	if n := counter.Open(client); n != 2 {
		t.Fatalf("open connections of %s = %d, want 2", client, n)
	}

	a3, r3 := dial(t, addr, "2001:db8:7:7::3") // same /64
	got, _ := echoes(a3, r3)
	if got != "refused 2001:db8:7:7::3\n" {
		t.Fatalf("third connection of one /64: %q, want the refusal", got)
	}
	if _, err := r3.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Errorf("refused connection not closed: %v", err)
	}
	if err := <-errs; !errors.Is(err, connlimit.ErrTooManyConns) {
		t.Errorf("server side of the refused connection: %v, want ErrTooManyConns", err)
	}

	b, rb := dial(t, addr, "198.51.100.9")
	if got, err := echoes(b, rb); err != nil || got != "ping\n" {
		t.Fatalf("another client: %q, %v", got, err)
	}

	a1.Close()
	if err := <-errs; !errors.Is(err, io.EOF) {
		t.Fatalf("closed connection: %v", err)
	}
	a4, r4 := dial(t, addr, "2001:db8:7:7::4")
	if got, err := echoes(a4, r4); err != nil || got != "ping\n" {
		t.Fatalf("after a close the client is admitted again: %q, %v", got, err)
	}
}

// Loopback clients are not counted: development, probes and tests.
func TestLoopbackIsNotCounted(t *testing.T) {
	t.Parallel()
	addr, counter, _ := listen(t, 1, nil)
	for range 3 {
		c, r := dial(t, addr, "127.0.0.1")
		if got, err := echoes(c, r); err != nil || got != "ping\n" {
			t.Fatalf("loopback client: %q, %v", got, err)
		}
	}
	if n := counter.Open(netip.MustParsePrefix("127.0.0.1/32")); n != 0 {
		t.Errorf("loopback counted: %d", n)
	}
}

// A connection closed before its first use was never counted, and Close
// twice releases once.
func TestCloseReleasesOnce(t *testing.T) {
	t.Parallel()
	addr, counter, errs := listen(t, 1, nil)
	client := netip.MustParsePrefix("198.51.100.1/32")
	c, r := dial(t, addr, "198.51.100.1")
	if _, err := echoes(c, r); err != nil {
		t.Fatal(err)
	}
	c.Close()
	<-errs // the server saw the close and closed its side
	if n := counter.Open(client); n != 0 {
		t.Fatalf("open after close: %d", n)
	}
	c2, r2 := dial(t, addr, "198.51.100.1")
	if got, err := echoes(c2, r2); err != nil || got != "ping\n" {
		t.Fatalf("after the first closed: %q, %v", got, err)
	}
}
