package node

import (
	"context"
	"io"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// Tunnel is what the node needs of a daemon's tunnel session, of either
// version: open a stream for an inbound connection, close the tunnel with
// a code, and learn when it has ended. The caller runs the session; the
// node never calls Run.
type Tunnel interface {
	// OpenStream opens a stream to destPort for client (the zero value
	// when unknown) and sends firstBytes on it.
	OpenStream(ctx context.Context, destPort uint16, client netip.AddrPort, firstBytes []byte) (Stream, error)
	// Close ends the tunnel with code; it may be called more than once.
	Close(code frame.CloseCode) error
	// Done is closed when the tunnel has ended, however it ended.
	Done() <-chan struct{}
}

// Stream is one connection carried by a tunnel: CloseWrite half-closes it
// (the daemon reads EOF), Close ends it.
type Stream interface {
	io.ReadWriteCloser
	CloseWrite() error
}

// goAwayer is a Tunnel that can ask its daemon to move (v2's GOAWAY).
type goAwayer interface {
	GoAway(reason frame.GoAwayReason, hint string) error
}

// resetter is a Stream that can abort both directions at once (v2's
// RESET); others are closed.
type resetter interface {
	Reset(code frame.ResetCode) error
}

// V2 adapts a node's v2 session (tunnel.NewNode) to a Tunnel. Drain sends
// it GOAWAY before its grace ends; it carries UDP flows (Config.UDPPorts).
func V2(s *tunnel.Session) Tunnel { return v2{s} }

// V1 adapts a node's v1 session (tunnel.NewV1Node) to a Tunnel. v1 cannot
// carry the client's address, nor be asked to move: Drain closes it with
// 4003 when the grace ends. The node relays no UDP to a v1 tunnel.
func V1(s *tunnel.V1Session) Tunnel { return v1{s} }

type v2 struct{ s *tunnel.Session }

func (t v2) OpenStream(ctx context.Context, destPort uint16, client netip.AddrPort, firstBytes []byte) (Stream, error) {
	st, err := t.s.OpenStream(ctx, destPort, client, firstBytes)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return st, nil
}

func (t v2) Close(code frame.CloseCode) error { return t.s.Close(code) }
func (t v2) Done() <-chan struct{}            { return t.s.Done() }

func (t v2) GoAway(reason frame.GoAwayReason, hint string) error { return t.s.GoAway(reason, hint) }

func (t v2) OpenFlow(destPort uint16, client netip.AddrPort) (Flow, error) {
	fl, err := t.s.OpenFlow(destPort, client)
	if err != nil {
		return nil, err
	}
	return fl, nil
}

type v1 struct{ s *tunnel.V1Session }

func (t v1) OpenStream(ctx context.Context, destPort uint16, client netip.AddrPort, firstBytes []byte) (Stream, error) {
	st, err := t.s.OpenStream(ctx, destPort, client, firstBytes)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (t v1) Close(code frame.CloseCode) error { return t.s.Close(code) }
func (t v1) Done() <-chan struct{}            { return t.s.Done() }

var (
	_ goAwayer   = v2{}
	_ flowOpener = v2{}
	_ Flow       = (*tunnel.Flow)(nil)
	_ resetter   = (*tunnel.Stream)(nil)
	_ Stream     = (*tunnel.Stream)(nil)
	_ Stream     = (*tunnel.V1Stream)(nil)
)
