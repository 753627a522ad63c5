package tunnelapi

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's own; the node exports the tunnels it holds and
// their traffic (wardnet_edge_*).
type metrics struct {
	// upgrades counts the tunnel requests that passed authentication, by
	// outcome: "held" (upgraded and held by the node), "hold_refused"
	// (upgraded, then refused by the node and closed), "upgrade_failed"
	// (the WebSocket handshake failed), or a refusal's reason.
	upgrades *prometheus.CounterVec
	// sessions is the tunnels the API runs now, by protocol version.
	sessions *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (metrics, error) {
	m := metrics{
		upgrades: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wardnet", Subsystem: "tunnel", Name: "upgrades_total",
			Help: "Tunnel requests past authentication, by outcome: held, hold_refused, upgrade_failed, or the reason of the refusal.",
		}, []string{"result"}),
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "wardnet", Subsystem: "tunnel", Name: "sessions",
			Help: "Tunnel sessions the API runs now, by protocol version.",
		}, []string{"version"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.upgrades, m.sessions} {
		if err := reg.Register(c); err != nil {
			return metrics{}, fmt.Errorf("tunnelapi: metrics: %w", err)
		}
	}
	return m, nil
}
