package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/agent"
)

func newTunnelCmd(g *globals) *cobra.Command {
	var (
		tunneller                    string
		local443, local853, localUDP string
		proxyHeader                  bool
	)
	cmd := &cobra.Command{
		Use:   "tunnel --tunneller URL (--local-443 ADDR | --local-853 ADDR | --local-udp ADDR)... [--proxy-header]",
		Short: "Hold the network's tunnel and relay it to local services until interrupted",
		Long: `tunnel holds the network's tunnel to the region's tunneller (GET /v1/tunnel,
a WebSocket authenticated with the network-scoped token and a proof of
possession) and relays what the tunnel node sends through it: TLS streams for
port 443 to --local-443, DNS over TLS for port 853 to --local-853 (TCP
addresses, host:port), and WireGuard's UDP flows to --local-udp, one local
socket per client. A stream for a port with no address is refused.
--proxy-header begins every local TCP connection with a PROXY protocol v2
header naming the client on the internet.

The tunnel is dialed again with backoff (1 s doubling to 60 s) when it fails,
and moved without dropping connections when the node asks (GOAWAY). It runs
until interrupted (SIGINT, SIGTERM), logging its progress to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tunneller == "" {
				return errors.New("--tunneller (or $WARDNET_TUNNELLER) is required: the base URL of the region's tunneller")
			}
			opts := agent.TunnelOptions{URL: tunneller, Local: map[uint16]string{}, LocalUDP: localUDP, ProxyHeader: proxyHeader}
			if local443 != "" {
				opts.Local[443] = local443
			}
			if local853 != "" {
				opts.Local[853] = local853
			}
			c, err := g.clientLogging(slog.LevelInfo)
			if err != nil {
				return err
			}
			// Progress (tunnel up, down, moved) is logged to stderr.
			if err := c.HoldTunnel(cmd.Context(), opts); err != nil {
				return err
			}
			fmt.Fprintln(g.out, "Tunnel closed.")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tunneller, "tunneller", envOr("WARDNET_TUNNELLER", ""), "base URL of the region's tunneller, http(s) or ws(s) [$WARDNET_TUNNELLER]")
	f.StringVar(&local443, "local-443", "", "relay port 443 (HTTPS) streams to this TCP address, e.g. 127.0.0.1:8443")
	f.StringVar(&local853, "local-853", "", "relay port 853 (DNS over TLS) streams to this TCP address")
	f.StringVar(&localUDP, "local-udp", "", "relay UDP flows (WireGuard) to this UDP address, e.g. 127.0.0.1:51820")
	f.BoolVar(&proxyHeader, "proxy-header", false, "begin each local TCP connection with a PROXY protocol v2 header naming the client")
	cmd.MarkFlagsOneRequired("local-443", "local-853", "local-udp")
	return cmd
}
