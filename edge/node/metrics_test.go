package node_test

import (
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/edge/node"
)

// The node's counters reach Prometheus as they are in Stats.
func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "home")
	reg := prometheus.NewPedanticRegistry()
	tn := e.startNode("node-a", node.Config{Registerer: reg})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	echo(t, tn.connect("home", d.cert), "counted")
	c := dialRaw(t, tn.addr, client)
	_, _ = io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	expectClosed(t, c)
	tn.waitRefusals("not_tls", 1)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) (float64, bool) {
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, m := range f.GetMetric() {
				found := 0
				for _, l := range m.GetLabel() {
					if want, ok := labels[l.GetName()]; ok && want == l.GetValue() {
						found++
					}
				}
				if found == len(labels) {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue(), true
				}
			}
		}
		return 0, false
	}
	if v, _ := value("wardnet_edge_tunnels", nil); v != 1 {
		t.Errorf("tunnels = %v, want 1", v)
	}
	if v, _ := value("wardnet_edge_connections_refused_total", map[string]string{"port": "443", "reason": "not_tls"}); v != 1 {
		t.Errorf("not_tls refusals = %v, want 1", v)
	}
	if v, _ := value("wardnet_edge_connections_routed_total", map[string]string{"port": "443", "via": "tunnel"}); v != 1 {
		t.Errorf("routed = %v, want 1", v)
	}
	if v, ok := value("wardnet_edge_tunnel_bytes_total", map[string]string{"network": id.String(), "direction": "to_daemon"}); !ok || v == 0 {
		t.Errorf("tunnel bytes to the daemon = %v (%v)", v, ok)
	}
}
