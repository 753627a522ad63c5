package code_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolve(t *testing.T) {
	t.Parallel()
	if s := code.Initial(); s.Exists() || s.Used {
		t.Fatalf("initial state %+v", s)
	}
	s := given(issued(naming.PurposeEnrollment, tenantID), events.Unknown{Type: "wardnet.code.resent", Raw: json.RawMessage(`{}`)})
	want := code.State{
		Issued: true, Purpose: naming.PurposeEnrollment, Email: sealed, EmailIndex: index,
		TenantID: tenantID, ExpiresAt: expires,
	}
	if !reflect.DeepEqual(s, want) || !s.TenantBound() || s.Expired(now) || !s.Expired(expires) {
		t.Fatalf("issued state %+v, want %+v", s, want)
	}
	s = code.Evolve(s, events.Record{Data: code.Used{}})
	want.Used = true
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("used state %+v, want %+v", s, want)
	}
	if given(issued(naming.PurposeSignup, "")).TenantBound() {
		t.Fatal("a code without tenant is tenant-bound")
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t, code.Initial(), given(issued(naming.PurposeEnrollment, tenantID), code.Used{}))
}
