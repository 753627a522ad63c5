package presence_test

import (
	"context"
	"log"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/presence"
)

// A tunnel node records the tunnels it holds, closes one as soon as the
// daemon reconnects elsewhere, and releases its claim when the tunnel
// ends. (Not run: it needs NATS.)
func Example() {
	ctx := context.Background()
	var js jetstream.JetStream // the service's
	const self = presence.NodeID("10.0.0.7:9444")
	p, err := presence.Open(ctx, js, presence.Config{Replicas: 3})
	if err != nil {
		log.Fatal(err)
	}
	stop := p.Watch(func(d presence.Displacement) {
		log.Printf("%s moved to %s: close its tunnel here", d.NetworkID, d.By)
	})
	defer stop()
	go func() { _ = p.Run(ctx) }()

	network := ids.NetworkID("6f1c0e7e-8a8f-4b8e-9a53-0f3f9d0b7c11")
	if err := p.Claim(ctx, network, self); err != nil {
		log.Fatal(err)
	}
	// ... the tunnel runs ...
	if err := p.Release(ctx, network, self); err != nil {
		log.Print(err) // presence.ErrNotHolder: another node holds it now
	}
}
