package forward_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The counters reach Prometheus as they are in Stats.
func TestMetrics(t *testing.T) {
	t.Parallel()
	ca := forwardtest.NewCA(t, trustDomain)
	certsA, certsB := nodeCerts(t, ca), nodeCerts(t, ca)
	acc, addr := startAcceptor(t, certsB, &echoNode{}, 0)
	d := newDialer(t, certsA, addr)
	if _, err := forwardOnce(t, d, request(), "counted"); err != nil {
		t.Fatal(err)
	}
	req := request()
	req.To = "node-z"
	if _, err := forwardOnce(t, d, req, "nowhere"); err == nil {
		t.Fatal("forwarded to an unknown node")
	}
	testenv.Eventually(t, patience, func() error {
		if st := acc.Stats(); st.Delivered != 1 || st.Open != 0 {
			return fmt.Errorf("acceptor %+v", st)
		}
		return nil
	})
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(forward.Collector(acc, d, certsA)); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			got[name] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	for name, want := range map[string]float64{
		"wardnet_edge_forward_forwarded_total":           1,
		"wardnet_edge_forward_failures_total/no_peer":    1,
		"wardnet_edge_forward_accepted_total":            1,
		"wardnet_edge_forward_delivered_total":           1,
		"wardnet_edge_forward_connections":               0,
		"wardnet_edge_forward_cert_reloads_total/ok":     0,
		"wardnet_edge_forward_cert_reloads_total/failed": 0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (%v), want %v", name, v, ok, want)
		}
	}
}
