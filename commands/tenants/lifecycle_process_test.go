package tenants_test

import (
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// The process manager carries a tenant from its creation to the sweep,
// each step caused by the event before it; the DNS projector's step
// (MarkNetworkDeprovisioned) is taken by the test. Delivered again, every
// event decides nothing new.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	lc := tenants.NewLifecycle(f.app)
	var applied events.StreamSeq
	// follow applies every event after the last applied, the process's
	// own included, until the log holds no more.
	follow := func() {
		t.Helper()
		for applied < f.lastSeq() {
			for rec, err := range f.store.Read(ctx, events.Query{After: applied, UntilSeq: f.lastSeq()}) {
				must(t, err)
				must(t, lc.Apply(ctx, nil, rec))
				applied = rec.Seq
			}
		}
	}

	alice := f.enroll(newEmail("alice"))
	follow()
	if log := f.log(subscription.Type, alice.TenantID.String()); len(log) != 1 {
		t.Fatalf("no trial on creation: %v", log)
	}
	n, _ := f.register(alice, "alices-lab")
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: alice.TenantID}))
	follow()
	if log := f.log(network.Type, n.ID.String()); log[len(log)-1] != (network.DeprovisioningStarted{Reason: network.ReasonDeregistered}) {
		t.Fatalf("network log after deregistration %v", log)
	}
	must(t, f.app.MarkNetworkDeprovisioned(ctx, tenants.MarkNetworkDeprovisioned{Meta: events.Meta{Actor: "test:dns"}, NetworkID: n.ID}))
	follow()
	log := f.log(tenant.Type, alice.TenantID.String())
	if log[len(log)-1] != (tenant.Swept{}) {
		t.Fatalf("tenant log %v", log)
	}
	created := f.log(tenant.Type, alice.TenantID.String())[0].(tenant.Created)
	if _, err := f.keys.Open(ctx, string(created.Email)); !errors.Is(err, datakeys.ErrShredded) {
		t.Errorf("the swept tenant's email opens (%v)", err)
	}

	end := f.lastSeq()
	for rec, err := range f.store.Read(ctx, events.Query{UntilSeq: end}) {
		must(t, err)
		must(t, lc.Apply(ctx, nil, rec))
	}
	if f.lastSeq() != end {
		t.Errorf("redelivering the log appended %d events", f.lastSeq()-end)
	}
}
