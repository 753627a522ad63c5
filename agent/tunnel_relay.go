package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// acceptStreams hands every stream the node opens to a relay, until the
// session ends.
func (t *liveTunnel) acceptStreams() {
	for {
		st, err := t.sess.Accept(t.ctx)
		if err != nil {
			return
		}
		t.h.wg.Go(func() {
			t.relayStream(st)
			t.notify()
		})
	}
}

// acceptFlows hands every UDP flow the node opens to a relay, until the
// session ends.
func (t *liveTunnel) acceptFlows() {
	for {
		fl, err := t.sess.AcceptFlow(t.ctx)
		if err != nil {
			return
		}
		t.h.wg.Go(func() { t.relayFlow(fl) })
	}
}

// relayStream connects a stream to the local address of its destination
// port, or refuses it: OPEN_REFUSED says why (port not served, connect
// failed, connect timeout). Then bytes go both ways, each direction
// closing on its own (CLOSE is the local socket's FIN and back).
func (t *liveTunnel) relayStream(st *tunnel.Stream) {
	log := t.h.log.With("stream", uint32(st.ID()), "port", st.DestPort())
	addr, ok := t.h.opts.Local[st.DestPort()]
	if !ok {
		log.Debug("tunnel stream refused: port not served")
		_ = st.Refuse(frame.RefusePortNotServed)
		return
	}
	d := net.Dialer{Timeout: t.h.opts.ConnectTimeout}
	c, err := d.DialContext(t.ctx, "tcp", addr)
	if err != nil {
		reason := frame.RefuseConnectFailed
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			reason = frame.RefuseConnectTimeout
		}
		log.Warn("tunnel stream refused: local connect failed", "local", addr, "error", err)
		_ = st.Refuse(reason)
		return
	}
	conn := c.(*net.TCPConn)
	if t.h.opts.ProxyHeader {
		if _, err := conn.Write(proxyHeaderV2(st.Client(), st.DestPort())); err != nil {
			log.Warn("tunnel stream refused: PROXY header not sent", "local", addr, "error", err)
			abortTCP(conn)
			_ = st.Refuse(frame.RefuseConnectFailed)
			return
		}
	}
	if err := st.Confirm(); err != nil { // the node reset it, or the tunnel ended
		abortTCP(conn)
		return
	}
	log.Debug("tunnel stream relayed", "local", addr, "client", st.Client())
	t.splice(st, conn)
}

// splice copies both ways between a stream and its local connection until
// both directions have closed. An EOF on one side closes the other's
// write half (CLOSE, or the socket's FIN); an error on either aborts both
// (RESET, and the socket's RST). The local socket is also aborted when
// the tunnel ends.
func (t *liveTunnel) splice(st *tunnel.Stream, conn *net.TCPConn) {
	stop := context.AfterFunc(t.ctx, func() { abortTCP(conn) })
	defer stop()
	toLocal := make(chan error, 1)
	go func() {
		_, err := io.Copy(conn, st)
		if err != nil {
			_ = st.Reset(frame.ResetCancel) // a no-op when the node already reset it
			abortTCP(conn)
		} else {
			_ = conn.CloseWrite()
		}
		toLocal <- err
	}()
	if _, err := st.ReadFrom(conn); err != nil {
		_ = st.Reset(frame.ResetCancel)
		abortTCP(conn)
	} else {
		t.closeQueued(st.ID())
		_ = st.CloseWrite()
	}
	if err := <-toLocal; err != nil {
		t.closeDone(st.ID()) // reset: no CLOSE will follow
	}
	_ = st.Close()
	_ = conn.Close()
}

// abortTCP closes a connection with an RST rather than a FIN.
func abortTCP(c *net.TCPConn) {
	_ = c.SetLinger(0)
	_ = c.Close()
}

// relayFlow carries a UDP flow through a local socket of its own (so the
// local service sees each client as its own endpoint), datagrams both
// ways, until the flow ends: the node's CLOSE, the session's idle timeout,
// the tunnel's end. Without a local UDP address the flow is closed at
// once.
func (t *liveTunnel) relayFlow(fl *tunnel.Flow) {
	log := t.h.log.With("flow", uint32(fl.ID()), "port", fl.DestPort())
	if t.h.opts.LocalUDP == "" {
		log.Debug("tunnel flow closed: no local UDP address")
		_ = fl.Close()
		return
	}
	var d net.Dialer
	conn, err := d.DialContext(t.ctx, "udp", t.h.opts.LocalUDP)
	if err != nil {
		log.Warn("tunnel flow closed: local UDP socket", "local", t.h.opts.LocalUDP, "error", err)
		_ = fl.Close()
		return
	}
	log.Debug("tunnel flow relayed", "local", t.h.opts.LocalUDP, "client", fl.Client())
	fromLocal := make(chan struct{})
	go func() {
		defer close(fromLocal)
		buf := make([]byte, frame.MaxPayload)
		for {
			n, err := conn.Read(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil { // ECONNREFUSED: nothing listens locally (yet); UDP carries on
				continue
			}
			if fl.Send(buf[:n]) != nil { // the flow ended
				_ = conn.Close()
				return
			}
		}
	}()
	for {
		p, err := fl.Receive(t.ctx)
		if err != nil {
			break
		}
		_, _ = conn.Write(p) // a datagram lost is a datagram lost
	}
	_ = fl.Close()
	_ = conn.Close()
	<-fromLocal
}

// proxyV2Signature begins every PROXY protocol v2 header.
var proxyV2Signature = []byte("\r\n\r\n\x00\r\nQUIT\n")

// proxyHeaderV2 is the PROXY protocol v2 header for a stream of client to
// destPort: PROXY over TCP, with the client as source and the unspecified
// address of its family as destination (the node does not say which
// public address the client reached, only the port), or LOCAL when the
// node did not know the client. An IPv4-mapped client is given as IPv4.
func proxyHeaderV2(client netip.AddrPort, destPort uint16) []byte {
	b := append(make([]byte, 0, 52), proxyV2Signature...)
	src := client.Addr().Unmap()
	switch {
	case src.Is4():
		b = append(b, 0x21, 0x11, 0, 12) // v2 PROXY, TCP over IPv4, 12 bytes
		a := src.As4()
		b = append(b, a[:]...)
		b = append(b, 0, 0, 0, 0)
	case src.Is6():
		b = append(b, 0x21, 0x21, 0, 36) // v2 PROXY, TCP over IPv6, 36 bytes
		a := src.As16()
		b = append(b, a[:]...)
		b = append(b, make([]byte, 16)...)
	default:
		return append(b, 0x20, 0x00, 0, 0) // v2 LOCAL, UNSPEC, no addresses
	}
	b = binary.BigEndian.AppendUint16(b, client.Port())
	return binary.BigEndian.AppendUint16(b, destPort)
}
