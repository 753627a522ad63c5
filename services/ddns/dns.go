package ddns

import (
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// runDNS adds the region's DNS projection (with a readiness check on its
// lag) and its reconciler as components. cf is the region's zone: the
// Cloudflare client of cloudflareClient.
func (s *Service) runDNS(store *events.Store, cf zone.Zone, cfg Config) error {
	rt := s.rt
	region, err := cfg.region()
	if err != nil {
		return err
	}
	edges, err := cfg.edgeAddresses()
	if err != nil {
		return err
	}
	dcfg := dns.Config{Region: region, Zone: cfg.DNSZone, EdgeAddresses: edges}
	p := dns.NewProjection(dcfg)
	opts := s.options.proj
	opts.Registerer, opts.Logger = rt.Registry(), rt.Logger()
	proj, err := projectors.New(rt.Pool(), store, p, opts)
	if err != nil {
		return err
	}
	rt.AddComponent("projector."+p.Name(), host.ComponentFunc(proj.Serve))
	rt.AddReadiness("projection."+p.Name(), proj.Ready(rt.Config().ReadyMaxLag))

	rc := s.options.reconciler
	rc.Config = dcfg
	rc.DriftInterval = cfg.DNSDriftInterval
	if rc.Logger == nil {
		rc.Logger = rt.Logger()
	}
	rec, err := dns.NewReconciler(rt.Pool(), store, cf, rc)
	if err != nil {
		return err
	}
	rt.AddComponent("dns.reconciler", rec)
	return nil
}

// runCredentials adds the update credentials projection (with a readiness
// check on its lag) as a component, and returns its reader.
func (s *Service) runCredentials(store *events.Store) (*credentials.Reader, error) {
	rt := s.rt
	opts := s.options.proj
	opts.Registerer, opts.Logger = rt.Registry(), rt.Logger()
	proj, err := projectors.New(rt.Pool(), store, credentials.New(), opts)
	if err != nil {
		return nil, err
	}
	rt.AddComponent("projector."+credentials.Name, host.ComponentFunc(proj.Serve))
	rt.AddReadiness("projection."+credentials.Name, proj.Ready(rt.Config().ReadyMaxLag))
	return credentials.NewReader(rt.Pool(), store), nil
}
