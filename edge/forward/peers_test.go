package forward_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/presence"
)

func TestHostPeers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for id, want := range map[presence.NodeID]string{
		"10.0.3.7":                "10.0.3.7:9444",
		"10.0.3.7:7000":           "10.0.3.7:7000",
		"tunneller-2.use1.svc":    "tunneller-2.use1.svc:9444",
		"tunneller-2.use1.svc:81": "tunneller-2.use1.svc:81",
		"fd00::7":                 "[fd00::7]:9444",
	} {
		if got, err := (forward.HostPeers{}).Addr(ctx, id); err != nil || got != want {
			t.Errorf("Addr(%s) = %q, %v; want %q", id, got, err, want)
		}
	}
	if got, _ := (forward.HostPeers{Port: 7443}).Addr(ctx, "node-a"); got != "node-a:7443" {
		t.Errorf("with a port: %q", got)
	}
	for _, id := range []presence.NodeID{"", "node a", "node-a:", ":9444"} {
		if got, err := (forward.HostPeers{}).Addr(ctx, id); !errors.Is(err, forward.ErrUnknownPeer) {
			t.Errorf("Addr(%q) = %q, %v; want ErrUnknownPeer", id, got, err)
		}
	}
}

func TestStaticPeers(t *testing.T) {
	t.Parallel()
	p := forward.StaticPeers{"node-a": "10.0.0.1:9444"}
	if got, err := p.Addr(context.Background(), "node-a"); err != nil || got != "10.0.0.1:9444" {
		t.Errorf("Addr(node-a) = %q, %v", got, err)
	}
	if _, err := p.Addr(context.Background(), "node-b"); !errors.Is(err, forward.ErrUnknownPeer) {
		t.Errorf("Addr(node-b): %v; want ErrUnknownPeer", err)
	}
}
