package tunneller_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// WireGuard-shaped UDP through the edge: the network's daemon holds its
// tunnel with the agent, which relays flows to a local UDP server (here an
// echo, where WireGuard would listen). The network gets a port from the
// region's pool, which the tenants API shows; datagrams from two client
// addresses sent to that port reach the daemon's UDP server, and each
// client gets its own answers back.
func TestEndToEndUDP(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n, logs := testenv.StartNATS(t), testenv.NewLogs(t)
	ten := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)),
		tenants.WithServiceOptions(host.WithLogger(logs.Logger())))
	cfg := servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL)
	port := freeUDPPort(t)
	cfg.UDPBind, cfg.UDPPorts = "127.0.0.1", fmt.Sprintf("%d-%d", port, port) // a pool of one, free here
	edge := servicetest.StartTunneller(t, cfg, tunneller.WithServiceOptions(host.WithLogger(logs.Logger())))

	c, err := agent.NewClient(ten.URL, nil, filepath.Join(t.TempDir(), "state.json"), agent.WithLogger(logs.Logger()))
	must(t, err)
	code, err := c.RequestCode(ctx, "wg@example.com")
	must(t, err)
	_, err = c.Enroll(ctx, code)
	must(t, err)
	netw, err := c.RegisterNetwork(ctx, "wg-home", "", servicetest.Region)
	must(t, err)

	wg := startUDPEcho(t)
	hctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.HoldTunnel(hctx, agent.TunnelOptions{URL: edge.URL, LocalUDP: wg.LocalAddr().String(),
			Backoff: func(int) time.Duration { return 20 * time.Millisecond }})
	}()
	t.Cleanup(func() { stop(); <-done })

	testenv.Eventually(t, patience, func() error {
		st := edge.Stats()
		if len(st.PerTunnel) != 1 || st.PerTunnel[0].UDPPort != port {
			return fmt.Errorf("the node holds %+v, want network %s relaying UDP port %d", st.PerTunnel, netw.ID, port)
		}
		return nil
	})

	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)}
	for i := range 2 {
		cl, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		must(t, err)
		t.Cleanup(func() { _ = cl.Close() })
		for j := range 3 {
			msg := fmt.Sprintf("handshake %d.%d from %s", i, j, cl.LocalAddr())
			if _, err := cl.WriteToUDP([]byte(msg), to); err != nil {
				t.Fatal(err)
			}
			_ = cl.SetReadDeadline(time.Now().Add(patience))
			buf := make([]byte, 1500)
			k, from, err := cl.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("client %d: no answer through the edge: %v", i, err)
			}
			if got := string(buf[:k]); got != "echo "+msg || from.Port != int(port) {
				t.Fatalf("client %d got %q from %s, want %q from the network's port", i, got, from, "echo "+msg)
			}
		}
	}
	if want := fmt.Sprintf(`"udp_port":"%d"`, port); !strings.Contains(logs.String(), want) {
		t.Errorf("the daemon was not told its port (%s) on the upgrade", want)
	}
	if st := edge.Stats(); st.PerTunnel[0].UDPFlows != 2 {
		t.Errorf("flows on the tunnel: %d, want one per client address (2)", st.PerTunnel[0].UDPFlows)
	}
}

// freeUDPPort is a UDP port free on loopback at the time of the call.
func freeUDPPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	must(t, err)
	defer c.Close()
	_, p, _ := net.SplitHostPort(c.LocalAddr().String())
	v, _ := strconv.ParseUint(p, 10, 16)
	return uint16(v)
}

// startUDPEcho is the daemon's UDP server: it answers each datagram with
// "echo " and the datagram, to its sender.
func startUDPEcho(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	must(t, err)
	t.Cleanup(func() { _ = c.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			k, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteToUDP(append([]byte("echo "), buf[:k]...), from)
		}
	}()
	return c
}
