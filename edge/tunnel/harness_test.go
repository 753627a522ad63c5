package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// wait is how long a test waits for what runs in the background.
const wait = 20 * time.Second

// runner is either version's session.
type runner interface {
	Run(context.Context) error
	Close(frame.CloseCode) error
	Done() <-chan struct{}
}

// run starts r and, when the test ends, closes it and waits for Run.
func run(t testing.TB, r runner) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- r.Run(context.Background()) }()
	t.Cleanup(func() {
		_ = r.Close(CloseNormal)
		select {
		case <-errc:
		case <-time.After(wait):
			t.Errorf("Run did not return within %s", wait)
		}
	})
}

// nodeServer is a node's tunnel endpoint: it upgrades to a WebSocket,
// negotiates the version with frame.Negotiate as the node does, and runs
// a node session of that version, handed to the test on sessions.
type nodeServer struct {
	*httptest.Server
	v2     chan *Session
	v1     chan *V1Session
	opts   Options
	v1opts V1Options
}

func newNodeServer(t testing.TB, opts Options) *nodeServer {
	t.Helper()
	ns := &nodeServer{v2: make(chan *Session, 16), v1: make(chan *V1Session, 16), opts: opts}
	ns.Server = httptest.NewServer(http.HandlerFunc(ns.serve))
	t.Cleanup(ns.Close)
	return ns
}

func (ns *nodeServer) serve(w http.ResponseWriter, r *http.Request) {
	v, echo := frame.Negotiate(r.Header.Values("Sec-WebSocket-Protocol"))
	var protos []string
	if echo != "" {
		protos = []string{echo}
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
	if err != nil {
		return
	}
	conn := NewWebSocketConn(c, v)
	if v == frame.V1 {
		s := NewV1Node(conn, ns.v1opts)
		ns.v1 <- s
		_ = s.Run(context.Background())
		return
	}
	s := NewNode(conn, ns.opts)
	ns.v2 <- s
	_ = s.Run(context.Background())
}

// dial connects to the node's endpoint as a daemon offering protocols.
func (ns *nodeServer) dial(t testing.TB, protocols ...string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ns.URL, "http"), &websocket.DialOptions{Subprotocols: protocols})
	if err != nil {
		t.Fatalf("dial the node: %v", err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// nodeSession is the node's v2 session for the latest dial.
func (ns *nodeServer) nodeSession(t testing.TB) *Session {
	t.Helper()
	select {
	case s := <-ns.v2:
		t.Cleanup(func() {
			_ = s.Close(CloseNormal)
			<-s.Done()
		})
		return s
	case <-time.After(wait):
		t.Fatal("no v2 node session")
		return nil
	}
}

// pair is a node and a daemon session over a real WebSocket on loopback,
// the daemon having dialed the node and negotiated v2.
func pair(t testing.TB, nodeOpts, daemonOpts Options) (nodeSess, daemonSess *Session) {
	t.Helper()
	ns := newNodeServer(t, nodeOpts)
	c := ns.dial(t, frame.SubprotocolV2, frame.SubprotocolV1)
	if v, err := frame.VersionOf(c.Subprotocol()); err != nil || v != frame.V2 {
		t.Fatalf("negotiated %q (%v), want %s", c.Subprotocol(), err, frame.SubprotocolV2)
	}
	daemonSess = NewDaemon(NewWebSocketConn(c, frame.V2), daemonOpts)
	run(t, daemonSess)
	return ns.nodeSession(t), daemonSess
}

// pipeEnd is one end of an in-memory MessageConn pair.
type pipeEnd struct {
	sh *pipeShared
	rx <-chan []byte
	tx chan<- []byte
}

type pipeShared struct {
	once   sync.Once
	done   chan struct{}
	code   frame.CloseCode
	reason string
	by     *pipeEnd
}

func pipe() (*pipeEnd, *pipeEnd) {
	sh := &pipeShared{done: make(chan struct{})}
	ab, ba := make(chan []byte, 16), make(chan []byte, 16)
	return &pipeEnd{sh: sh, rx: ba, tx: ab}, &pipeEnd{sh: sh, rx: ab, tx: ba}
}

func (p *pipeEnd) Read(ctx context.Context) ([]byte, error) {
	select {
	case m := <-p.rx:
		return m, nil
	case <-p.sh.done:
		return nil, p.closeErr()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipeEnd) Write(ctx context.Context, b []byte) error {
	select {
	case p.tx <- append([]byte(nil), b...):
		return nil
	case <-p.sh.done:
		return net.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pipeEnd) Close(code frame.CloseCode, reason string) error {
	p.sh.once.Do(func() {
		p.sh.code, p.sh.reason, p.sh.by = code, reason, p
		close(p.sh.done)
	})
	return nil
}

func (p *pipeEnd) closeErr() error {
	if p.sh.by == p {
		return net.ErrClosed
	}
	return &CloseError{Code: p.sh.code, Reason: p.sh.reason, Remote: true}
}

// rawPeer speaks v2 frame by frame over a pipe, to drive a session into
// the states a well-behaved peer never reaches.
type rawPeer struct {
	t    testing.TB
	conn *pipeEnd
}

// rawNode returns a node session whose peer is a raw daemon.
func rawNode(t testing.TB, opts Options) (*Session, *rawPeer) {
	a, b := pipe()
	s := NewNode(a, opts)
	run(t, s)
	return s, &rawPeer{t: t, conn: b}
}

// rawDaemon returns a daemon session whose peer is a raw node.
func rawDaemon(t testing.TB, opts Options) (*Session, *rawPeer) {
	a, b := pipe()
	s := NewDaemon(a, opts)
	run(t, s)
	return s, &rawPeer{t: t, conn: b}
}

func (p *rawPeer) send(f frame.V2Frame) {
	p.t.Helper()
	b, err := frame.AppendV2(nil, f)
	if err != nil {
		p.t.Fatalf("encode %s: %v", f.Type, err)
	}
	p.sendBytes(b)
}

func (p *rawPeer) sendBytes(b []byte) {
	p.t.Helper()
	if err := p.conn.Write(context.Background(), b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

// next reads the next frame, skipping keepalive PINGs.
func (p *rawPeer) next() (frame.V2Frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		msg, err := p.conn.Read(ctx)
		if err != nil {
			return frame.V2Frame{}, err
		}
		f, err := frame.DecodeV2(msg)
		if err != nil {
			return frame.V2Frame{}, fmt.Errorf("the session sent a bad frame % x: %w", msg, err)
		}
		if f.Type != frame.V2Ping {
			f.Payload = append([]byte(nil), f.Payload...)
			return f, nil
		}
	}
}

// expect reads frames until one of type typ for stream id, failing on any
// frame for that stream of another type.
func (p *rawPeer) expect(typ frame.V2Type, id frame.StreamID) frame.V2Frame {
	p.t.Helper()
	for {
		f, err := p.next()
		if err != nil {
			p.t.Fatalf("waiting for %s on stream %d: %v", typ, id, err)
		}
		if f.Stream != id {
			continue
		}
		if f.Type != typ {
			p.t.Fatalf("stream %d: got %s, want %s", id, f.Type, typ)
		}
		return f
	}
}

// closedWith waits for the session to close the pipe and returns its code.
func (p *rawPeer) closedWith() frame.CloseCode {
	p.t.Helper()
	for {
		_, err := p.next()
		var ce *CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			p.t.Fatalf("waiting for the close: %v", err)
		}
	}
}

// eventually waits for check with testenv.Eventually.
func eventually(t testing.TB, check func() error) {
	t.Helper()
	testenv.Eventually(t, wait, check)
}
