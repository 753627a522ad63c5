package code_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	tenantID naming.ID         = "6f1c2a34-0d5e-4b7a-9c1d-2e3f4a5b6c7d"
	sealed   naming.Sealed     = "v1:day:sealed-email"
	index    naming.EmailIndex = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
)

var (
	now     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expires = now.Add(code.TTL)
)

// issued is a code issued at now for purpose, bound to tenant when not empty.
func issued(purpose naming.Purpose, tenant naming.ID) code.Issued {
	return code.Issued{Purpose: purpose, Email: sealed, EmailIndex: index, TenantID: tenant, ExpiresAt: expires}
}

// given folds a history into a state, as a load does.
func given(history ...events.Payload) code.State {
	s := code.Initial()
	for i, p := range history {
		s = code.Evolve(s, events.Record{Seq: events.StreamSeq(i + 1), Data: p})
	}
	return s
}

type decider interface {
	Decide(code.State) ([]events.Payload, error)
}

type decideCase struct {
	name  string
	given []events.Payload
	cmd   decider
	want  []events.Payload // nil: nothing decided
	err   error            // matched with errors.Is
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.cmd.Decide(given(tc.given...))
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decided %#v, want %#v", got, tc.want)
			}
		})
	}
}
