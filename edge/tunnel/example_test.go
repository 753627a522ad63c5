package tunnel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// A node's endpoint upgrades the daemon's request, negotiating the version,
// and runs the node's session; the daemon dials it and runs its own. The
// node then opens a stream with the client's first bytes and the daemon
// answers on it.
func Example() {
	ctx := context.Background()
	nodes := make(chan *tunnel.Session, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, echo := frame.Negotiate(r.Header.Values("Sec-WebSocket-Protocol"))
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{echo}})
		if err != nil || v != frame.V2 {
			return
		}
		s := tunnel.NewNode(tunnel.NewWebSocketConn(c, v), tunnel.Options{})
		nodes <- s
		_ = s.Run(ctx)
	}))
	defer srv.Close()

	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"),
		&websocket.DialOptions{Subprotocols: frame.Subprotocols()})
	if err != nil {
		fmt.Println(err)
		return
	}
	daemon := tunnel.NewDaemon(tunnel.NewWebSocketConn(c, frame.V2), tunnel.Options{})
	go func() { _ = daemon.Run(ctx) }()
	node := <-nodes
	defer node.Close(tunnel.CloseNormal)

	client := netip.MustParseAddrPort("203.0.113.7:51234")
	st, err := node.OpenStream(ctx, 853, client, []byte("query"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = st.CloseWrite()

	in, err := daemon.Accept(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	q, _ := io.ReadAll(in)
	fmt.Printf("daemon: %q to port %d from %s\n", q, in.DestPort(), in.Client())
	_, _ = in.Write([]byte("answer"))
	_ = in.CloseWrite()

	a, _ := io.ReadAll(st)
	fmt.Printf("node: %q\n", a)
	// Output:
	// daemon: "query" to port 853 from 203.0.113.7:51234
	// node: "answer"
}
