package node_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// Drain asks v2 daemons to move, refuses new tunnels, keeps routing
// through the tunnels it holds during the grace (make before break), and
// closes what is left with 4003 when the grace ends: the v1 tunnel, which
// cannot be asked, and the v2 daemon that did not move.
func TestDrain(t *testing.T) {
	t.Parallel()
	const grace = 3 * time.Second
	e := newEnv(t)
	ten := e.tenant()
	e.network(ten, "home")
	e.network(ten, "old")
	e.network(ten, "late")
	tn := e.startNode("node-a", node.Config{DrainGrace: grace, DrainHint: "node-b." + zoneName})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	old, err := tn.dialV1Daemon("old")
	if err != nil {
		t.Fatal(err)
	}
	before := tn.connect("home", d.cert)
	echo(t, before, "before the drain")

	start := time.Now()
	drained := make(chan error, 1)
	go func() { drained <- tn.Drain(context.Background()) }()
	select {
	case ga := <-d.sess.GoAwayReceived():
		if ga.Reason != frame.GoAwayDraining || ga.Hint != "node-b."+zoneName {
			t.Fatalf("GOAWAY %+v", ga)
		}
	case <-time.After(patience):
		t.Fatal("no GOAWAY")
	}
	echo(t, before, "during the drain")
	echo(t, tn.connect("home", d.cert), "a new connection during the drain")
	late, err := tn.dialDaemon("late")
	if !errors.Is(err, node.ErrDraining) {
		t.Fatalf("Hold while draining: %v, want ErrDraining", err)
	}
	if code := late.ended(); code != frame.CloseNodeDraining {
		t.Errorf("the refused tunnel closed with %d, want %d", code, frame.CloseNodeDraining)
	}

	if code := d.ended(); code != frame.CloseNodeDraining {
		t.Errorf("the v2 tunnel closed with %d, want %d", code, frame.CloseNodeDraining)
	}
	if code := old.ended(); code != frame.CloseNodeDraining {
		t.Errorf("the v1 tunnel closed with %d, want %d", code, frame.CloseNodeDraining)
	}
	select {
	case err := <-drained:
		if err != nil {
			t.Fatalf("Drain: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Drain did not return")
	}
	if took := time.Since(start); took < grace {
		t.Errorf("tunnels closed after %s, before the grace of %s", took, grace)
	}
	if st := tn.Stats(); st.Closes[frame.CloseNodeDraining] != 2 || st.HoldRefusals["draining"] != 1 || st.Tunnels != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Drain returns as soon as the daemons have moved: here the daemon closes
// its tunnel on GOAWAY, long before the grace.
func TestDrainEndsWhenDaemonsMove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{DrainGrace: time.Hour})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-d.sess.GoAwayReceived()
		_ = d.sess.Close(tunnel.CloseNormal)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := tn.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if st := tn.Stats(); st.Tunnels != 0 || st.Closes[frame.CloseNodeDraining] != 0 {
		t.Fatalf("stats %+v", st)
	}
}
