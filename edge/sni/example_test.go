package sni_test

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/sni"
)

// The listener's side of a connection: read the hello within a deadline,
// route it, and keep raw to replay to the daemon ahead of the stream.
func Example() {
	zone, err := sni.ParseZone("dyn.example.net")
	if err != nil {
		fmt.Println("configuration:", err)
		return
	}
	client, conn := net.Pipe()
	defer conn.Close()
	defer client.Close()
	go func() { _ = tls.Client(client, &tls.Config{ServerName: "app.home-lab.dyn.example.net"}).Handshake() }()

	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, hello, err := sni.ReadClientHello(conn, sni.DefaultLimit)
	if err != nil {
		fmt.Println("refused:", sni.Reason(err))
		return
	}
	slug, err := zone.Route(hello.ServerName)
	if err != nil {
		fmt.Println("refused:", sni.Reason(err))
		return
	}
	fmt.Println(hello.ServerName, "→", slug)
	fmt.Println("hello bytes to replay, past the old 1 KiB peek:", len(raw) > 1024)
	// Output:
	// app.home-lab.dyn.example.net → home-lab
	// hello bytes to replay, past the old 1 KiB peek: true
}
