package events

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrConflict is matched by every *ConflictError.
	ErrConflict = errors.New("events: concurrency conflict")
	// ErrUnknownType is returned when appending a payload that is not in the catalogue.
	ErrUnknownType = errors.New("unknown event type")
	// ErrFutureVersion is returned when reading an event written by a newer schema.
	ErrFutureVersion = errors.New("schema version newer than this build")
	// ErrEmptyAppend is returned by Append when there is nothing to store.
	ErrEmptyAppend = errors.New("events: nothing to append")
	// ErrAppendTooLarge is returned when an append exceeds the atomic batch limit.
	ErrAppendTooLarge = errors.New("events: too many events in one append")
	// ErrMalformed is returned for a stored message without a usable
	// envelope (bad subject, missing ce-id or ce-type, unparsable values).
	ErrMalformed = errors.New("events: malformed envelope")
	// ErrNoAnswer is returned by a read whose request the server did not
	// answer in time: the events are unknown, not absent.
	ErrNoAnswer = errors.New("events: no answer from the stream")
)

// ConflictError reports that an aggregate moved past the version a command
// was decided on. Nothing of the append was stored. Callers reload and
// decide again.
type ConflictError struct {
	// Aggregates are the aggregates of the append that carried a version
	// check; one of them (JetStream does not say which, for batches) had
	// moved on.
	Aggregates []Ref
	// Actual is the last stored sequence of the conflicting subject, as
	// the server reported it.
	Actual StreamSeq
}

func (e *ConflictError) Error() string {
	names := make([]string, len(e.Aggregates))
	for i, r := range e.Aggregates {
		names[i] = r.String()
	}
	return fmt.Sprintf("events: concurrency conflict on %s (stored version %d)", strings.Join(names, ", "), e.Actual)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
