package forward_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/node"
)

// A tunneller node of a region of several: the forward listener hands
// what other nodes forward to the local node, and the same node forwards
// through the Dialer what it cannot serve. (Not run: it needs the mesh
// files and a node, which the service wires.)
func Example() {
	ctx := context.Background()
	certs, err := forward.LoadCerts(forward.CertFiles{
		Cert: "/run/secrets/mtls/leaf.pem", Key: "/run/secrets/mtls/leaf.key", Bundle: "/run/secrets/mtls/bundle.pem",
	}, 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = certs.Run(ctx) }()

	var local forward.Deliverer // the node, once it has Deliver
	acc, err := forward.NewAcceptor(forward.AcceptorConfig{Certs: certs, Deliverer: local})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", forward.DefaultPort))
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = acc.Serve(ctx, ln) }()

	dialer, err := forward.NewDialer(forward.DialerConfig{Certs: certs, Peers: forward.HostPeers{}})
	if err != nil {
		log.Fatal(err)
	}
	_ = node.Config{Forwarder: dialer} // with Self, Table, Presence, Zone
}

// A preamble on the wire and read back.
func ExamplePreamble() {
	b, err := forward.Preamble{
		Slug:       "home-lab",
		NetworkID:  "6f1c2e4a-8b3d-4c5e-9f70-123456789abc",
		DestPort:   853,
		Client:     netip.MustParseAddrPort("203.0.113.7:51234"),
		FirstBytes: []byte("ClientHello"),
	}.AppendBinary(nil)
	if err != nil {
		log.Fatal(err)
	}
	p, err := forward.ReadPreamble(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(b), p.Slug, p.DestPort, p.Client, string(p.FirstBytes))
	// Output: 73 home-lab 853 203.0.113.7:51234 ClientHello
}
