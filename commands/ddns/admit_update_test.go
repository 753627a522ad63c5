package ddns_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// Updates are counted per credential.
func TestAdmitUpdate(t *testing.T) {
	t.Parallel()
	f := newFixtureWithLimits(t, roomy, ratelimit.Limit{Name: "update", Max: 2, Window: time.Minute})
	n := f.register("home", "local")
	a, b := f.client(f.issue(n, network.CredentialUpdate), network.CredentialUpdate), f.client(f.issue(n, network.CredentialUpdate), network.CredentialUpdate)
	for range 2 {
		if err := f.cmds.AdmitUpdate(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	wantThrottled(t, f.cmds.AdmitUpdate(t.Context(), a))
	if err := f.cmds.AdmitUpdate(t.Context(), b); err != nil {
		t.Errorf("another credential: %v", err)
	}
}
