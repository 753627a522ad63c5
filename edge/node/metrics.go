package node

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// The node's metrics, read from Stats at each scrape so that the two never
// disagree.
var (
	descTunnels = desc("tunnels", "Tunnels held by the node.")
	descHolds   = desc("tunnel_holds_total", "Tunnels the node took.")
	descHoldRef = desc("tunnel_refusals_total", "Tunnels the node refused, by reason.", "reason")
	descCloses  = desc("tunnel_closes_total", "Tunnels the node closed, by WebSocket close code.", "code")
	descBytes   = desc("bytes_total", "Bytes carried between clients and daemons, by direction.", "direction")
	descTunnelB = desc("tunnel_bytes_total", "Bytes carried by a tunnel held now, by network and direction.", "network", "direction")
	descStreams = desc("tunnel_streams", "Connections a tunnel held now carries, by network.", "network")
	descOpen    = desc("connections", "Connections a listener serves now, by destination port.", "port")
	descAccept  = desc("connections_accepted_total", "Connections accepted, by destination port.", "port")
	descRouted  = desc("connections_routed_total", "Connections given to a daemon, by destination port and path (tunnel here, or forward).", "port", "via")
	descRefused = desc("connections_refused_total", "Connections closed without reaching a daemon, by destination port and reason.", "port", "reason")

	descUDPRelays   = desc("udp_relays", "UDP sockets bound now, one per tunnel with a UDP port.")
	descUDPFlows    = desc("udp_flows", "Client addresses the UDP relays carry now.")
	descUDPOpened   = desc("udp_flows_opened_total", "UDP flows opened on tunnels.")
	descUDPEnds     = desc("udp_flow_ends_total", "UDP flows ended, by reason.", "reason")
	descUDPDgrams   = desc("udp_datagrams_total", "Datagrams relayed between UDP clients and daemons, by direction.", "direction")
	descUDPBytes    = desc("udp_bytes_total", "Bytes of the datagrams relayed, by direction.", "direction")
	descUDPDrops    = desc("udp_drops_total", "Client datagrams dropped by the relay, by reason.", "reason")
	descUDPFailures = desc("udp_failures_total", "Failures of the UDP relays (allocate, bind, read), by what failed.", "what")
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("wardnet", "edge", name), help, labels, nil)
}

// collector exports a node's Stats.
type collector struct{ n *Node }

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descTunnels, descHolds, descHoldRef, descCloses, descBytes, descTunnelB,
		descStreams, descOpen, descAccept, descRouted, descRefused,
		descUDPRelays, descUDPFlows, descUDPOpened, descUDPEnds, descUDPDgrams, descUDPBytes, descUDPDrops, descUDPFailures,
	} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	st := c.n.Stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(descTunnels, float64(st.Tunnels))
	counter(descHolds, st.Holds)
	for reason, v := range st.HoldRefusals {
		counter(descHoldRef, v, reason)
	}
	for code, v := range st.Closes {
		counter(descCloses, v, strconv.Itoa(int(code)))
	}
	counter(descBytes, st.BytesToDaemon, "to_daemon")
	counter(descBytes, st.BytesToClient, "to_client")
	for _, t := range st.PerTunnel {
		counter(descTunnelB, t.BytesToDaemon, t.NetworkID.String(), "to_daemon")
		counter(descTunnelB, t.BytesToClient, t.NetworkID.String(), "to_client")
		gauge(descStreams, float64(t.Streams), t.NetworkID.String())
	}
	gauge(descUDPRelays, float64(st.UDP.Relays))
	gauge(descUDPFlows, float64(st.UDP.Flows))
	counter(descUDPOpened, st.UDP.FlowsOpened)
	for reason, v := range st.UDP.FlowEnds {
		counter(descUDPEnds, v, reason)
	}
	counter(descUDPDgrams, st.UDP.DatagramsToDaemon, "to_daemon")
	counter(descUDPDgrams, st.UDP.DatagramsToClient, "to_client")
	counter(descUDPBytes, st.UDP.BytesToDaemon, "to_daemon")
	counter(descUDPBytes, st.UDP.BytesToClient, "to_client")
	for reason, v := range st.UDP.Drops {
		counter(descUDPDrops, v, reason)
	}
	for what, v := range st.UDP.Failures {
		counter(descUDPFailures, v, what)
	}
	for port, l := range st.Listeners {
		p := strconv.Itoa(int(port))
		gauge(descOpen, float64(l.Open), p)
		counter(descAccept, l.Accepted, p)
		counter(descRouted, l.Routed, p, "tunnel")
		counter(descRouted, l.Forwarded, p, "forward")
		for reason, v := range l.Refusals {
			counter(descRefused, v, p, reason)
		}
	}
}
