package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/benchreport"
)

// TestMain prints the benchmarks' summary lines (docs/benchmarks.md).
func TestMain(m *testing.M) {
	code := m.Run()
	benchreport.Print(os.Stdout)
	os.Exit(code)
}

// zeros is an endless source of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// sendAndDrain writes n bytes to c while it reads n bytes from it, each
// side through 64 KiB buffers (a stream's ReadFrom fills its messages
// straight from the source).
func sendAndDrain(c io.ReadWriter, n int64) error {
	werr := make(chan error, 1)
	go func() {
		_, err := io.CopyN(c, zeros{}, n)
		werr <- err
	}()
	buf := make([]byte, 64<<10)
	_, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, io.LimitReader(c, n), buf)
	return errors.Join(err, <-werr)
}

// bothWays moves n bytes each way between a and b at once.
func bothWays(b testing.TB, x, y io.ReadWriter, n int64) {
	var wg sync.WaitGroup
	var errX, errY error
	wg.Go(func() { errX = sendAndDrain(x, n) })
	wg.Go(func() { errY = sendAndDrain(y, n) })
	wg.Wait()
	if err := errors.Join(errX, errY); err != nil {
		b.Fatal(err)
	}
}

// tcpPair is two ends of a loopback TCP connection.
func tcpPair(b testing.TB) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	x, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	y := <-accepted
	if y == nil {
		b.Fatal("accept failed")
	}
	b.Cleanup(func() { _ = x.Close(); _ = y.Close() })
	return x, y
}

// BenchmarkStreamBothWays is one stream's throughput, both directions at
// once, through a node's and a daemon's session over a loopback WebSocket,
// against the same transfer over a bare loopback TCP connection in the
// same run. The value counts the bytes of both directions.
func BenchmarkStreamBothWays(b *testing.B) {
	const size, rounds = 16 << 20, 6
	nodeSess, daemonSess := pair(b, Options{}, Options{})
	tcpX, tcpY := tcpPair(b)
	for b.Loop() {
		target := func() {
			accepted := make(chan *Stream, 1)
			go func() {
				st, _ := daemonSess.Accept(context.Background())
				accepted <- st
			}()
			ns, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
			if err != nil {
				b.Fatal(err)
			}
			ds := <-accepted
			if ds == nil {
				b.Fatal("Accept failed")
			}
			bothWays(b, ns, ds, size)
			_, _ = ns.Close(), ds.Close()
		}
		baseline := func() { bothWays(b, tcpX, tcpY, size) }
		tt, bt := benchreport.Interleave(rounds, target, baseline)
		mbps := func(d time.Duration) float64 { return 2 * size / d.Seconds() / 1e6 }
		benchreport.Record("edge.tunnel_stream_v2_both_ways", mbps(tt), "MB/s", mbps(bt))
	}
}
