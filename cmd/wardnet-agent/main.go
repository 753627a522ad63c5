// Command wardnet-agent stands in for a Wardnet daemon: it speaks the daemon
// side of the cloud contract to the tenants service (request an enrollment
// code, enroll, mint tokens, check a name, register a network, tear down)
// to its region's ddns service (report the public address, publish an
// ACME DNS-01 challenge) and to its region's tunneller (hold the tunnel and
// relay 443, 853 and WireGuard's UDP to local ports), so that the cloud can
// be driven by hand or from a script without a real daemon. The protocol lives in package agent; this
// is its command line.
//
// Its identity — an Ed25519 key and what it is bound to — is kept in a state
// file (--state / WARDNET_AGENT_STATE, by default under $XDG_STATE_HOME or
// ~/.local/state), mode 0600. Point it at the services with --server /
// WARDNET_SERVER (tenants) and --ddns / WARDNET_DDNS (the defaults reach
// wardnet-dev), and `tunnel` at --tunneller / WARDNET_TUNNELLER.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/wardnet/wardnet-cloud/agent"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(os.Stdin, os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "wardnet-agent:", err)
		if errors.Is(err, agent.ErrNotEnrolled) {
			fmt.Fprintln(os.Stderr, "Enroll first: wardnet-agent enroll --email E (or --code C).")
		}
		os.Exit(1)
	}
}
