package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Why a listener closed a connection without it reaching a daemon, as
// metric labels, besides sni.Reason's (not_tls, too_large, truncated,
// malformed, no_server_name, invalid_server_name, outside_zone, zone_apex,
// invalid_slug, timeout, read_error).
const (
	// ReasonProxyHeader: the PROXY header was missing or invalid.
	ReasonProxyHeader = "proxy_header"
	// ReasonUnknownSlug: no network of the region holds the slug (or the
	// routing table is not ready).
	ReasonUnknownSlug = "unknown_slug"
	// ReasonNotAdmitted: the network takes no traffic (deprovisioning,
	// tenant not entitled).
	ReasonNotAdmitted = "not_admitted"
	// ReasonNoTunnel: no tunnel for the network, here or on a node
	// presence names (or no Forwarder to reach it).
	ReasonNoTunnel = "no_tunnel"
	// ReasonTenantStreams: the tenant has Config.MaxTenantStreams open.
	ReasonTenantStreams = "tenant_streams"
	// ReasonOpenFailed: the tunnel could not open the stream, or the
	// daemon refused it or did not answer in time.
	ReasonOpenFailed = "open_failed"
	// ReasonForwardFailed: the Forwarder could not hand the connection
	// over.
	ReasonForwardFailed = "forward_failed"
	// ReasonListenerFull: the listener serves Config.MaxConns connections.
	ReasonListenerFull = "listener_full"
)

// Pauses of the accept loop after an error (too many open files, …).
const (
	minAcceptPause = 5 * time.Millisecond
	maxAcceptPause = time.Second
)

// Serve accepts connections on ln for destPort (443 for HTTPS, 853 for
// DNS-over-TLS) and routes each to its network's tunnel, until ctx ends;
// then it closes ln and every connection it serves, and returns nil once
// they have ended. ln should be wrapped by proxyproto.Wrap in Required
// mode behind the L4 proxy, so that the client's address is the PROXY
// header's; otherwise it is the TCP peer's. Over Config.MaxConns
// connections at once, a new one is closed at once (listener_full). An
// error of Accept other than a transient one ends Serve with it.
func (n *Node) Serve(ctx context.Context, ln net.Listener, destPort uint16) error {
	counts := n.listener(destPort)
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	slots := make(chan struct{}, n.cfg.MaxConns)
	var wg sync.WaitGroup
	defer wg.Wait()
	pause := time.Duration(0)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("node: listener for port %d: %w", destPort, err)
			}
			pause = min(max(2*pause, minAcceptPause), maxAcceptPause)
			n.log.Warn("node: accept", "port", destPort, "err", err, "pause", pause)
			if !sleep(ctx, pause) {
				return nil
			}
			continue
		}
		pause = 0
		counts.accepted.Add(1)
		select {
		case slots <- struct{}{}:
		default:
			counts.refusals.add(ReasonListenerFull)
			_ = c.Close()
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			n.serveConn(ctx, c, destPort, counts)
		})
	}
}

// sleep waits d, or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
