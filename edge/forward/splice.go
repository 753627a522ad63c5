package forward

import (
	"context"
	"io"
	"net"
	"sync"
)

// splice copies between a and b until both directions have ended, as TCP
// does: EOF from one side half-closes the other (CloseWrite; on a TLS
// connection a close_notify), an error closes both, and so does the end
// of ctx. It closes neither connection otherwise; the callers do.
func splice(ctx context.Context, a, b net.Conn) {
	var once sync.Once
	abort := func() {
		once.Do(func() {
			_ = a.Close()
			_ = b.Close()
		})
	}
	stop := context.AfterFunc(ctx, abort)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { pipe(b, a, abort) })
	pipe(a, b, abort)
	wg.Wait()
}

// pipe copies src to dst, then half-closes dst; on an error it aborts.
func pipe(dst, src net.Conn, abort func()) {
	_, err := io.Copy(dst, src)
	if err == nil {
		err = closeWrite(dst)
	}
	if err != nil {
		abort()
	}
}

// closeWrite half-closes c when it can (TCP, TLS and PROXY connections
// can).
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
