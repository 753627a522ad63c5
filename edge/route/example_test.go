package route_test

import (
	"context"
	"log"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
)

// A tunnel node builds its table at start, closes a tunnel as soon as its
// network lapses, admits tunnels by network id and routes inbound
// connections by slug. (Not run: it needs the log.)
func Example() {
	ctx := context.Background()
	var store *events.Store // the service's, whose catalogue knows network, subscription and tenant
	tab, err := route.New(store, route.Config{Region: "eu-west"})
	if err != nil {
		log.Fatal(err)
	}
	tunnels := map[ids.NetworkID]context.CancelFunc{} // the node's registry (locking left out)
	unsubscribe := tab.Subscribe(func(l route.Lapse) {
		if cancel, ok := tunnels[l.Route.NetworkID]; ok {
			cancel() // the tunnel closes now, not at a reconcile
		}
	})
	defer unsubscribe()
	go func() { _ = tab.Run(ctx) }()
	<-tab.Ready()

	// The tunnel endpoint, on a daemon's upgrade request.
	if err := tab.Admit("6f1c0e7e-8a8f-4b8e-9a53-0f3f9d0b7c11"); err != nil {
		log.Printf("403: %v", err)
	}
	// An SNI listener, on a ClientHello for <anything>.home.<zone>.
	if r, ok := tab.Lookup(naming.Slug("home")); ok && r.Err() == nil {
		log.Printf("to the tunnel of %s", r.NetworkID)
	}
}
