package tenants_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A registration claims the slug, registers the network with the calling
// daemon, binds the daemon and counts both against the tenant, in one
// append; it returns the network as decided, with the sequence a read
// model must pass to show it.
func TestRegisterNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.enroll(newEmail("alice"))
	name := "  Alice's lab  "
	n, err := f.app.RegisterNetwork(t.Context(), tenants.RegisterNetwork{Caller: d, Slug: "alices-lab", DisplayName: &name, Region: " " + region})
	must(t, err)
	want := tenants.RegisteredNetwork{ID: n.ID, TenantID: d.TenantID, Slug: "alices-lab", DisplayName: "Alice's lab", Region: region,
		Status: network.StatusProvisioning, DaemonID: n.DaemonID, Registered: f.clock.Now(), Seq: f.lastSeq()}
	if n != want || n.ID == "" || n.DaemonID == "" {
		t.Errorf("registered %+v, want %+v", n, want)
	}
	f.wantLog(network.Type, n.ID.String(), network.Registered{TenantID: d.TenantID, Slug: "alices-lab",
		DisplayName: "Alice's lab", Region: region, RegistrationID: n.DaemonID, DaemonKey: d.Key})
	f.wantLog(reservation.SlugType, "alices-lab", reservation.Claimed{Owner: n.ID.String()})
	fp := d.Key.Fingerprint().String()
	f.wantLog(daemon.Type, fp, f.log(daemon.Type, fp)[0],
		daemon.Registered{RegistrationID: n.DaemonID, TenantID: d.TenantID, NetworkID: n.ID})
	f.wantLog(tenant.Type, d.TenantID.String(), f.log(tenant.Type, d.TenantID.String())[0],
		tenant.NetworkAdded{NetworkID: n.ID}, tenant.DaemonAdded{RegistrationID: n.DaemonID})
	f.wantOneAppend(f.records(network.Type, n.ID.String())[0], f.records(reservation.SlugType, "alices-lab")[0],
		f.records(daemon.Type, fp)[1], f.records(tenant.Type, d.TenantID.String())[1])
	if trial := f.log("subscription", d.TenantID.String()); len(trial) != 1 {
		t.Errorf("the trial is not opened before the registration: %v", trial)
	}
}

func TestRegisterNetworkRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := f.enroll(newEmail("alice"))
	_, bound := f.register(alice, "taken")
	second := f.enroll(f.emailOf(alice.TenantID)) // the trial holds one network
	gone := f.enroll(newEmail("gone"))
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: gone.TenantID}))
	closed := f.enroll(newEmail("closed"))
	f.mint(closed) // opens the trial
	f.closeSubscription(closed.TenantID)
	stranger := tenants.Daemon{TenantID: alice.TenantID, Key: newKey(t)}
	other := f.enroll(newEmail("other"))
	otherTenant := tenants.Daemon{TenantID: alice.TenantID, Key: other.Key}
	long := strings.Repeat("é", 128)
	_, badSlug := naming.ParseSlug("Bad Slug")
	_, reserved := naming.ParseSlug("www")
	_, badRegion := naming.Regions{region}.Parse("mars")

	for _, tc := range []struct {
		name   string
		caller tenants.Daemon
		slug   string
		dname  *string
		region string
		kind   tenants.Kind
		msg    string
	}{
		{"malformed slug", alice, "Bad Slug", nil, region, tenants.BadRequest, badSlug.Error()},
		{"reserved slug", alice, "www", nil, region, tenants.BadRequest, reserved.Error()},
		{"unknown region", alice, "free", nil, "mars", tenants.BadRequest, badRegion.Error()},
		{"long display name", alice, "free", &long, region, tenants.BadRequest, "display_name must be valid UTF-8 of at most 255 bytes"},
		{"slug taken", other, "taken", nil, region, tenants.Conflict, "slug is already taken"},
		{"daemon registered", bound, "free", nil, region, tenants.Conflict, "daemon is already registered to a network"},
		{"network limit", second, "free", nil, region, tenants.Conflict, "network limit reached"},
		{"deregistered tenant", gone, "free", nil, region, tenants.Forbidden, "tenant is deregistered"},
		{"closed subscription", closed, "free", nil, region, tenants.Forbidden, "tenant has no active subscription"},
		{"key never enrolled", stranger, "free", nil, region, tenants.Forbidden, "daemon key is neither registered nor enrolled"},
		{"key of another tenant", otherTenant, "free", nil, region, tenants.Forbidden, "daemon key is neither registered nor enrolled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.app.RegisterNetwork(ctx, tenants.RegisterNetwork{Caller: tc.caller, Slug: tc.slug, DisplayName: tc.dname, Region: tc.region})
			wantRefused(t, err, tc.kind, tc.msg)
		})
	}
	f.wantLog(reservation.SlugType, "free")
}

// Concurrent registrations of one slug all expect it to be new: one wins,
// the others see the claim and are refused; the log holds one claim.
func TestRegisterNetworkRace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 8
	daemons := make([]tenants.Daemon, n)
	for i := range daemons {
		daemons[i] = f.enroll(newEmail(fmt.Sprint("racer", i)))
		f.mint(daemons[i]) // the trial, opened before the race
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for _, d := range daemons {
		wg.Go(func() {
			_, err := f.app.RegisterNetwork(t.Context(), tenants.RegisterNetwork{Caller: d, Slug: "contested", Region: region})
			mu.Lock()
			defer mu.Unlock()
			var e *tenants.Error
			switch {
			case err == nil:
				won++
			case errors.As(err, &e) && e.Message == "slug is already taken":
				lost++
			default:
				t.Errorf("register: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != n-1 {
		t.Errorf("%d won, %d lost", won, lost)
	}
	if claims := f.log(reservation.SlugType, "contested"); len(claims) != 1 {
		t.Errorf("claims %v", claims)
	}
}
