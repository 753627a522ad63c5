package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

func TestPingBothWays(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for name, s := range map[string]*Session{"node": nodeSess, "daemon": daemonSess} {
		if _, err := s.Ping(ctx); err != nil {
			t.Errorf("%s's Ping: %v", name, err)
		}
	}
	if n, d := nodeSess.Stats(), daemonSess.Stats(); n.PingsReceived != 1 || d.PingsReceived != 1 || n.PongsReceived != 1 || d.PongsReceived != 1 {
		t.Errorf("pings/pongs received: node %d/%d, daemon %d/%d; want 1 each", n.PingsReceived, n.PongsReceived, d.PingsReceived, d.PongsReceived)
	}
}

// PING is answered at once with the same opaque bytes, ahead of DATA
// waiting to go out.
func TestPongEchoesOpaque(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = st.Write(make([]byte, frame.InitialWindow)) }()
	peer.expect(frame.V2Open, st.ID())
	assertAlive(t, peer)
}

func TestKeepAliveAndIdleTimeout(t *testing.T) {
	t.Parallel()
	t.Run("keepalive pings", func(t *testing.T) {
		t.Parallel()
		_, peer := rawNode(t, Options{KeepAlive: 5 * time.Millisecond, IdleTimeout: -1})
		msg, err := peer.conn.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f, err := frame.DecodeV2(msg); err != nil || f.Type != frame.V2Ping {
			t.Errorf("first message %v (%v), want a PING", f.Type, err)
		}
	})
	t.Run("idle timeout", func(t *testing.T) {
		t.Parallel()
		s, peer := rawNode(t, Options{KeepAlive: -1, IdleTimeout: 30 * time.Millisecond})
		if code := peer.closedWith(); code != frame.CloseIdleTimeout {
			t.Errorf("closed with %d, want 4004", code)
		}
		<-s.Done()
	})
}

// A node's GOAWAY reaches the daemon with its hint; the node keeps
// opening streams until the tunnel closes (make before break).
func TestNodeGoAway(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	go echoAll(daemonSess)
	if err := nodeSess.GoAway(frame.GoAwayDraining, "node-2.tunnel.example"); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-daemonSess.GoAwayReceived():
		if want := (GoAway{Reason: frame.GoAwayDraining, LastStream: 0, Hint: "node-2.tunnel.example"}); g != want {
			t.Errorf("GOAWAY %+v, want %+v", g, want)
		}
	case <-time.After(wait):
		t.Fatal("no GOAWAY")
	}
	if g, ok := daemonSess.PeerGoAway(); !ok || g.Reason != frame.GoAwayDraining {
		t.Errorf("PeerGoAway: %+v, %v", g, ok)
	}
	ns, err := nodeSess.OpenStream(context.Background(), 853, client, []byte("still routed"))
	if err != nil {
		t.Fatalf("OpenStream after the node's own GOAWAY: %v", err)
	}
	if got, err := exchange(ns, nil); err != nil || string(got) != "still routed" {
		t.Errorf("echo %q, %v", got, err)
	}
	if err := nodeSess.GoAway(frame.GoAwayDraining, "bad hint"); !errors.Is(err, frame.ErrInvalid) {
		t.Errorf("GOAWAY with a space in the hint: %v, want frame.ErrInvalid", err)
	}
}

// A daemon's GOAWAY stops the node opening streams; those it took go on.
func TestDaemonGoAway(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ns, ds := openPair(t, nodeSess, daemonSess, []byte("taken"))
	if err := daemonSess.GoAway(frame.GoAwayShutdown, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-nodeSess.GoAwayReceived():
		if g.Reason != frame.GoAwayShutdown || g.LastStream != ns.ID() {
			t.Errorf("GOAWAY %+v, want shutdown with last stream %d", g, ns.ID())
		}
	case <-time.After(wait):
		t.Fatal("no GOAWAY")
	}
	if _, err := nodeSess.OpenStream(context.Background(), 443, client, nil); !errors.Is(err, ErrGoAway) {
		t.Errorf("OpenStream after the daemon's GOAWAY: %v, want ErrGoAway", err)
	}
	if _, err := nodeSess.OpenFlow(51820, client); !errors.Is(err, ErrGoAway) {
		t.Errorf("OpenFlow after the daemon's GOAWAY: %v, want ErrGoAway", err)
	}
	go func() { _, _ = exchange(ds, []byte("served")) }()
	if got, err := exchange(ns, nil); err != nil || string(got) != "served" {
		t.Errorf("the stream taken before GOAWAY: %q, %v", got, err)
	}
}

// Streams above a GOAWAY's last stream were not served: they end with
// ErrGoAway; those at or below it go on. A daemon that sent GOAWAY refuses
// later OPENs.
func TestGoAwayLastStream(t *testing.T) {
	t.Parallel()
	t.Run("node", func(t *testing.T) {
		t.Parallel()
		nodeSess, peer := rawNode(t, Options{})
		a, _ := nodeSess.OpenStream(context.Background(), 443, client, nil)
		b, _ := nodeSess.OpenStream(context.Background(), 443, client, nil)
		peer.expect(frame.V2Open, a.ID())
		peer.expect(frame.V2Open, b.ID())
		peer.send(frame.V2Frame{Type: frame.V2GoAway, LastStream: a.ID()})
		if _, err := b.Read(make([]byte, 1)); !errors.Is(err, ErrGoAway) {
			t.Errorf("the stream above last_stream: %v, want ErrGoAway", err)
		}
		peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: a.ID()})
		peer.send(frame.V2Frame{Type: frame.V2Data, Stream: a.ID(), Payload: []byte("ok")})
		peer.send(frame.V2Frame{Type: frame.V2Close, Stream: a.ID()})
		if got, err := io.ReadAll(a); err != nil || string(got) != "ok" {
			t.Errorf("the stream at last_stream: %q, %v", got, err)
		}
	})
	t.Run("daemon", func(t *testing.T) {
		t.Parallel()
		daemonSess, peer := rawDaemon(t, Options{})
		peer.send(frame.V2Frame{Type: frame.V2Open, Stream: 3, DestPort: 443})
		if _, err := daemonSess.Accept(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := daemonSess.GoAway(frame.GoAwayShutdown, ""); err != nil {
			t.Fatal(err)
		}
		if f := peer.expect(frame.V2GoAway, 0); f.LastStream != 3 {
			t.Errorf("GOAWAY last stream %d, want 3", f.LastStream)
		}
		peer.send(frame.V2Frame{Type: frame.V2Open, Stream: 5, DestPort: 443})
		peer.expect(frame.V2OpenRefused, 5)
	})
}

func TestDatagramFlows(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	nf, err := nodeSess.OpenFlow(51820, client)
	if err != nil {
		t.Fatal(err)
	}
	sent := [][]byte{[]byte("handshake initiation"), {}, payload(3, frame.MaxPayload)}
	for _, p := range sent {
		if err := nf.Send(p); err != nil {
			t.Fatal(err)
		}
	}
	df, err := daemonSess.AcceptFlow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if df.DestPort() != 51820 || df.Client() != client || df.ID() != nf.ID() {
		t.Errorf("accepted flow %d to %d for %s", df.ID(), df.DestPort(), df.Client())
	}
	for i, want := range sent {
		got, err := df.Receive(ctx)
		if err := errors.Join(err, sameBytes(fmt.Sprintf("datagram %d", i), got, want)); err != nil {
			t.Fatal(err)
		}
	}
	if err := df.Send([]byte("handshake response")); err != nil {
		t.Fatal(err)
	}
	if got, err := nf.Receive(ctx); err != nil || string(got) != "handshake response" {
		t.Fatalf("reply %q, %v", got, err)
	}
	if err := nf.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := df.Receive(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("Receive after the node's CLOSE: %v, want io.EOF", err)
	}
	if err := nf.Send([]byte("late")); err == nil {
		t.Error("Send on a closed flow succeeded")
	}
	eventually(t, func() error {
		if n, d := nodeSess.Stats().Flows, daemonSess.Stats().Flows; n != 0 || d != 0 {
			return fmt.Errorf("flows left: node %d, daemon %d", n, d)
		}
		return nil
	})
}

// At most 8 flows per tunnel (contract §6.6): the node stops opening, and
// a daemon with a lower cap refuses.
func TestFlowCaps(t *testing.T) {
	t.Parallel()
	t.Run("node", func(t *testing.T) {
		t.Parallel()
		nodeSess, _ := rawNode(t, Options{})
		for i := range DefaultMaxFlows {
			if _, err := nodeSess.OpenFlow(51820, netip.AddrPortFrom(client.Addr(), uint16(40000+i))); err != nil {
				t.Fatalf("flow %d: %v", i, err)
			}
		}
		if _, err := nodeSess.OpenFlow(51820, client); !errors.Is(err, ErrTooManyStreams) {
			t.Errorf("a ninth flow: %v, want ErrTooManyStreams", err)
		}
	})
	t.Run("daemon", func(t *testing.T) {
		t.Parallel()
		nodeSess, daemonSess := pair(t, Options{}, Options{MaxFlows: 2})
		var flows []*Flow
		for i := range 3 {
			fl, err := nodeSess.OpenFlow(51820, netip.AddrPortFrom(client.Addr(), uint16(40000+i)))
			if err != nil {
				t.Fatalf("flow %d: %v", i, err)
			}
			flows = append(flows, fl)
		}
		var re *RefusedError
		if _, err := flows[2].Receive(context.Background()); !errors.As(err, &re) || re.Reason != frame.RefuseTooManyStreams {
			t.Errorf("the flow over the daemon's cap: %v, want refused (too many streams)", err)
		}
		if s := daemonSess.Stats(); s.Flows != 2 || s.StreamsRefused != 1 {
			t.Errorf("daemon: %d flows, %d refused; want 2 and 1", s.Flows, s.StreamsRefused)
		}
	})
}

func TestFlowIdleTimeout(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{FlowIdleTimeout: 30 * time.Millisecond}, Options{FlowIdleTimeout: -1})
	nf, err := nodeSess.OpenFlow(51820, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nf.Receive(context.Background()); !errors.Is(err, ErrFlowIdle) {
		t.Errorf("node's Receive: %v, want ErrFlowIdle", err)
	}
	// The daemon, whose own sweep is off, ends the flow on the node's CLOSE.
	eventually(t, func() error {
		if s := daemonSess.Stats(); s.FlowsOpened != 1 || s.Flows != 0 {
			return fmt.Errorf("daemon: %d flows opened, %d open; want 1 and 0", s.FlowsOpened, s.Flows)
		}
		return nil
	})
}

// A flow's receive queue is bounded: what does not fit is dropped and
// counted; the session goes on.
func TestFlowQueueDrops(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{FlowQueue: 4})
	nf, err := nodeSess.OpenFlow(51820, client)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := nf.Send([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, func() error {
		if s := daemonSess.Stats(); s.DatagramsReceived != 10 || s.DatagramsDroppedReceiving != 6 {
			return fmt.Errorf("daemon received %d datagrams, dropped %d; want 10 and 6", s.DatagramsReceived, s.DatagramsDroppedReceiving)
		}
		return nil
	})
	df, err := daemonSess.AcceptFlow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got, err := df.Receive(context.Background()); err != nil || len(got) != 1 || got[0] != byte(i) {
			t.Errorf("datagram %d: %v, %v", i, got, err)
		}
	}
}

// DATA or WINDOW_UPDATE on a flow resets the flow (protocol error).
func TestFlowRuleBreachesReset(t *testing.T) {
	t.Parallel()
	daemonSess, peer := rawDaemon(t, Options{})
	peer.send(frame.V2Frame{Type: frame.V2FlowOpen, Stream: 1, DestPort: 51820})
	fl, err := daemonSess.AcceptFlow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	peer.send(frame.V2Frame{Type: frame.V2Data, Stream: 1, Payload: []byte("x")})
	if f := peer.expect(frame.V2Reset, 1); f.Reset != frame.ResetProtocolError {
		t.Errorf("RESET %s, want protocol error", f.Reset)
	}
	var re *ResetError
	if _, err := fl.Receive(context.Background()); !errors.As(err, &re) {
		t.Errorf("Receive: %v, want the reset", err)
	}
	assertAlive(t, peer)
}
