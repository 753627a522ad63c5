package testenv

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
)

// NATS is an in-process nats-server with JetStream, and a connection to it.
type NATS struct {
	Server *server.Server
	URL    string
	Conn   *nats.Conn
	JS     jetstream.JetStream
	dir    string
	opts   server.Options
}

// StartNATS starts a server on a random loopback port with JetStream stored
// under t.TempDir(). configure, if given, adjusts the options first. The
// server and connection stop when the test ends.
func StartNATS(t testing.TB, configure ...func(*server.Options)) *NATS {
	t.Helper()
	opts := server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	}
	for _, c := range configure {
		c(&opts)
	}
	n := &NATS{opts: opts, dir: opts.StoreDir}
	n.start(t)
	t.Cleanup(n.stop)
	return n
}

func (n *NATS) start(t testing.TB) {
	t.Helper()
	opts := n.opts
	srv, err := server.NewServer(&opts)
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL(), events.ConnOption(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatalf("nats connect: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	n.Server, n.URL, n.Conn, n.JS = srv, srv.ClientURL(), nc, js
	// Keep the port across restarts so clients reconnect.
	n.opts.Port = srv.Addr().(*net.TCPAddr).Port
}

func (n *NATS) stop() {
	if n.Conn != nil {
		n.Conn.Close()
	}
	if n.Server != nil {
		n.Server.Shutdown()
		n.Server.WaitForShutdown()
	}
}

// Restart stops the server and starts it again on the same port and store
// directory, as after a crash or a deploy. Existing client connections
// reconnect by themselves; n.Conn and n.JS are replaced.
func (n *NATS) Restart(t testing.TB) {
	t.Helper()
	n.stop()
	n.start(t)
}

// Store opens the EVENTS stream (R1) and returns a Store over it.
func (n *NATS) Store(t testing.TB, catalog *events.Catalog, opts ...events.Option) *events.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := events.Open(ctx, n.JS, catalog, events.StreamConfig{Replicas: 1}, opts...)
	if err != nil {
		t.Fatalf("open event store: %v", err)
	}
	return s
}
