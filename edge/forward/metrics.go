package forward

import "github.com/prometheus/client_golang/prometheus"

// The forward plane's metrics, read from the parts' Stats at each scrape
// so that the two never disagree.
var (
	descOpen      = desc("connections", "Forwarded connections the acceptor serves now.")
	descAccepted  = desc("accepted_total", "Connections the forward acceptor accepted.")
	descDelivered = desc("delivered_total", "Forwarded connections handed to the local node.")
	descRefusals  = desc("refusals_total", "Connections the forward acceptor closed without delivering them, by reason.", "reason")
	descForwarded = desc("forwarded_total", "Connections a peer node accepted from this one.")
	descFailures  = desc("failures_total", "Connections this node could not forward, by reason.", "reason")
	descReloads   = desc("cert_reloads_total", "Reloads of the mesh certificate files, by result.", "result")
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("wardnet", "edge_forward", name), help, labels, nil)
}

// Collector exports the counters of an acceptor, a dialer and the
// certificates (any may be nil) for registering with Prometheus.
func Collector(a *Acceptor, d *Dialer, c *Certs) prometheus.Collector {
	return collector{a: a, d: d, c: c}
}

type collector struct {
	a *Acceptor
	d *Dialer
	c *Certs
}

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descOpen, descAccepted, descDelivered, descRefusals, descForwarded, descFailures, descReloads,
	} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	if c.a != nil {
		st := c.a.Stats()
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(st.Open))
		counter(descAccepted, st.Accepted)
		counter(descDelivered, st.Delivered)
		for reason, v := range st.Refusals {
			counter(descRefusals, v, reason)
		}
	}
	if c.d != nil {
		st := c.d.Stats()
		counter(descForwarded, st.Forwarded)
		for reason, v := range st.Failures {
			counter(descFailures, v, reason)
		}
	}
	if c.c != nil {
		st := c.c.Stats()
		counter(descReloads, st.Reloads, "ok")
		counter(descReloads, st.Failures, "failed")
	}
}
