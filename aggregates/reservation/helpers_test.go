package reservation_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	alice naming.ID = "11111111-1111-4111-8111-111111111111"
	bob   naming.ID = "22222222-2222-4222-8222-222222222222"
)

// given folds a history into a state, as a load does.
func given(history ...events.Payload) reservation.State {
	s := reservation.Initial()
	for i, p := range history {
		s = reservation.Evolve(s, events.Record{Seq: events.StreamSeq(i + 1), Data: p})
	}
	return s
}

type decider interface {
	Decide(reservation.State) ([]events.Payload, error)
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
