package node_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
)

// v1Daemon is an old daemon: it offers no subprotocol and speaks v1 frame
// by frame (CONNECT, READY, DATA, CLOSE), serving each connection with
// the same TLS echo service as the v2 daemon, over an in-memory pipe.
type v1Daemon struct {
	t        *testing.T
	ws       *websocket.Conn
	cert     cert
	accepted chan accepted
	done     chan struct{}
	code     frame.CloseCode // set before done is closed
	wg       waitGroup

	mu    sync.Mutex
	conns map[frame.ConnID]net.Conn
}

// dialV1Daemon connects a v1 daemon of slug to tn and returns Hold's
// answer.
func (tn *testNode) dialV1Daemon(slug string) (*v1Daemon, error) {
	tn.t.Helper()
	d := &v1Daemon{t: tn.t, cert: certFor(tn.t, slug), accepted: make(chan accepted, 16),
		done: make(chan struct{}), conns: map[frame.ConnID]net.Conn{}}
	d.wg.cleanup(tn.t)
	d.ws = tn.dialWS(slug)
	d.ws.SetReadLimit(frame.V1MaxMessage)
	tn.t.Cleanup(func() { _ = d.ws.CloseNow() })
	d.wg.Go(d.read)
	return d, tn.held()
}

func (d *v1Daemon) send(f frame.V1Frame) {
	b, err := frame.AppendV1(nil, f)
	if err != nil {
		panic(err)
	}
	_ = d.ws.Write(context.Background(), websocket.MessageBinary, b)
}

func (d *v1Daemon) read() {
	defer close(d.done)
	defer d.closeAll()
	for {
		_, msg, err := d.ws.Read(context.Background())
		if err != nil {
			d.code = frame.CloseCode(websocket.CloseStatus(err))
			return
		}
		f, err := frame.DecodeV1(msg)
		if err != nil {
			continue
		}
		switch f.Type {
		case frame.V1Connect:
			local, service := net.Pipe()
			d.mu.Lock()
			d.conns[f.Conn] = local
			d.mu.Unlock()
			d.send(frame.V1Frame{Type: frame.V1Ready, Conn: f.Conn})
			d.wg.Go(func() { d.pump(f.Conn, local) })
			d.wg.Go(func() { terminate(service, d.cert, accepted{destPort: f.DestPort}, d.accepted) })
		case frame.V1Data:
			if c := d.conn(f.Conn); c != nil {
				_, _ = c.Write(f.Payload)
			}
		case frame.V1Close:
			if c := d.conn(f.Conn); c != nil {
				_ = c.Close()
			}
		case frame.V1Ping:
			d.send(frame.V1Frame{Type: frame.V1Pong, Conn: f.Conn})
		}
	}
}

func (d *v1Daemon) conn(id frame.ConnID) net.Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.conns[id]
}

func (d *v1Daemon) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		_ = c.Close()
	}
}

// pump sends what the local service writes as DATA, then CLOSE.
func (d *v1Daemon) pump(id frame.ConnID, c net.Conn) {
	buf := make([]byte, 16<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			msg, _ := frame.AppendV1Data(nil, id, buf[:n])
			_ = d.ws.Write(context.Background(), websocket.MessageBinary, msg)
		}
		if err != nil {
			d.send(frame.V1Frame{Type: frame.V1Close, Conn: id})
			return
		}
	}
}

func (d *v1Daemon) ended() frame.CloseCode {
	d.t.Helper()
	select {
	case <-d.done:
		return d.code
	case <-time.After(patience):
		d.t.Fatal("the v1 tunnel was not closed")
		return 0
	}
}

// An old daemon without a subprotocol gets a v1 tunnel, which carries TLS
// end to end as v2 does (without the client's address, which v1 cannot
// carry), and is displaced like any other.
func TestV1Tunnel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "old")
	tn := e.startNode("node-a", node.Config{})
	d, err := tn.dialV1Daemon("old")
	if err != nil {
		t.Fatalf("Hold of a v1 tunnel: %v", err)
	}
	tc := tn.connect("old", d.cert)
	select {
	case a := <-d.accepted:
		if a.err != nil || a.serverName != "www.old."+zoneName || a.destPort != 443 {
			t.Fatalf("the v1 daemon saw %+v", a)
		}
	case <-time.After(patience):
		t.Fatal("the v1 daemon accepted no stream")
	}
	echo(t, tc, "over v1")
	_ = tc.Close()

	v2, err := tn.dialDaemon("old")
	if err != nil {
		t.Fatal(err)
	}
	if code := d.ended(); code != frame.CloseDisplaced {
		t.Fatalf("the v1 tunnel closed with %d, want %d", code, frame.CloseDisplaced)
	}
	echo(t, tn.connect("old", v2.cert), "now over v2")
}
