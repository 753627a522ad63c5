package code_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolve(t *testing.T) {
	t.Parallel()
	if s := code.Initial(); s.Exists() || s.Used {
		t.Fatalf("initial state %+v", s)
	}
	s := given(issued(code.PurposeEnrollment, tenantID), events.Unknown{Type: "wardnet.code.resent", Raw: json.RawMessage(`{}`)})
	want := code.State{
		Issued: true, Purpose: code.PurposeEnrollment, Email: sealed, EmailIndex: index,
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
	if given(issued(code.PurposeSignup, "")).TenantBound() {
		t.Fatal("a code without tenant is tenant-bound")
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t, code.Initial(), given(issued(code.PurposeEnrollment, tenantID), code.Used{}))
}
