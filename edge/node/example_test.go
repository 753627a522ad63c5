package node_test

import (
	"context"
	"log"
	"net/http"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// A tunneller node: the SNI listener behind the L4 proxy, and the tunnel
// endpoint handing each daemon's session to the node. (Not run: it needs
// NATS, the routing table and presence, which the service wires.)
func Example() {
	ctx := context.Background()
	var n *node.Node                                      // node.New(node.Config{Self, Table, Presence, Zone, Forwarder})
	var networkOf func(*http.Request) (route.Route, bool) // from the authenticated token

	go func() { _ = n.Run(ctx) }()
	ln, err := proxyproto.Listen("tcp", "127.0.0.1:8443", proxyproto.Required)
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = n.Serve(ctx, ln, 443) }()

	http.HandleFunc("GET /v1/tunnel", func(w http.ResponseWriter, r *http.Request) {
		rt, ok := networkOf(r)
		if !ok {
			http.Error(w, "network not found", http.StatusForbidden)
			return
		}
		v, echo := frame.Negotiate(r.Header.Values("Sec-WebSocket-Protocol"))
		var protos []string // none for a v1 daemon
		if echo != "" {
			protos = []string{echo}
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
		if err != nil {
			return
		}
		var t node.Tunnel
		var run func(context.Context) error
		if v == frame.V1 {
			s := tunnel.NewV1Node(tunnel.NewWebSocketConn(c, v), tunnel.V1Options{})
			t, run = node.V1(s), s.Run
		} else {
			s := tunnel.NewNode(tunnel.NewWebSocketConn(c, v), tunnel.Options{})
			t, run = node.V2(s), s.Run
		}
		ran := make(chan struct{})
		go func() { defer close(ran); _ = run(ctx) }()
		release, err := n.Hold(r.Context(), rt, t)
		if err != nil {
			_ = t.Close(node.CloseCodeFor(err)) // 4001, 4002, 4003, 4006 …
			<-ran
			return
		}
		<-ran
		release()
	})
}
