package aggregatetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

// Command is what the aggregate packages' commands are: a pure decision on
// a state.
type Command[S any] interface {
	Decide(S) ([]events.Payload, error)
}

// ErrAny, as DecideCase.Err, wants some error, for refusals that callers do
// not branch on (invalid input).
var ErrAny = errors.New("aggregatetest: any error")

// DecideCase is one row of a Decide table.
type DecideCase[S any] struct {
	Name  string
	Given []events.Payload // the aggregate's history, folded into its state
	Cmd   Command[S]
	Want  []events.Payload // nil: nothing decided
	Err   error            // nil: none; ErrAny: any; else matched with errors.Is
}

// RunDecide runs each case as a parallel subtest: it folds Given with
// fold, decides Cmd on the state and wants exactly Want and Err.
func RunDecide[S any](t *testing.T, fold func(...events.Payload) S, cases []DecideCase[S]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.Cmd.Decide(fold(tc.Given...))
			switch {
			case tc.Err == ErrAny && err == nil:
				t.Fatalf("decided %#v, want an error", got)
			case tc.Err != ErrAny && !errors.Is(err, tc.Err):
				t.Fatalf("error %v, want %v", err, tc.Err)
			}
			if !reflect.DeepEqual(got, tc.Want) {
				t.Fatalf("decided %#v, want %#v", got, tc.Want)
			}
		})
	}
}
