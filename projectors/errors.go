package projectors

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wardnet/wardnet-cloud/events"
)

var (
	// ErrHalted is matched by every *HaltError.
	ErrHalted = errors.New("projector halted")
	// ErrPoison is wrapped by a projection's Apply error to say that the
	// event itself cannot be applied, so retrying is pointless and the
	// projector halts.
	ErrPoison = errors.New("event cannot be applied")
	// ErrMalformed is matched by the error of an event whose envelope
	// cannot be parsed.
	ErrMalformed = errors.New("malformed event")
	// ErrUnknownProjection is returned for a name that has never run.
	ErrUnknownProjection = errors.New("unknown projection")
	// ErrRebuildInProgress is returned by Rebuild when another instance
	// holds the projection's rebuild.
	ErrRebuildInProgress = errors.New("rebuild already in progress")
	// ErrNotRunning is returned by the readiness check while Run is not running.
	ErrNotRunning = errors.New("projector not running")
	// ErrLagging is returned by the readiness check when lag exceeds its bound.
	ErrLagging = errors.New("projector lagging")
)

// HaltError reports that a projector stopped at an event it cannot apply.
// Everything before Seq is applied; nothing at or after it is, until a build
// that can apply it runs. errors.Is matches ErrHalted and the cause (e.g.
// events.ErrFutureVersion).
type HaltError struct {
	Projection string
	Seq        events.StreamSeq
	Err        error
}

func (e *HaltError) Error() string {
	return fmt.Sprintf("projector %s halted at seq %d: %v", e.Projection, e.Seq, e.Err)
}

// Unwrap returns ErrHalted and the cause.
func (e *HaltError) Unwrap() []error { return []error{ErrHalted, e.Err} }

// permanent reports whether applying the same event again would fail the
// same way: a poisoned event, or a Postgres error about the data or the
// statement rather than about the connection, locks or resources.
func permanent(err error) bool {
	if errors.Is(err, ErrPoison) {
		return true
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || len(pg.Code) < 2 {
		return false
	}
	switch pg.Code[:2] {
	case "22", // data exception
		"23", // integrity constraint violation
		"42", // syntax error or access rule violation
		"2B", // dependent privilege descriptors still exist
		"P0": // raised by PL/pgSQL
		return true
	}
	return false
}

// NotSetUp reports whether err is Postgres saying that a projection's
// schema or table does not exist: a reader that queries a projection
// before its projector first ran. Such a projection is behind whatever the
// log holds (WaitFor waits for it).
func NotSetUp(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "42P01" || pg.Code == "3F000") // undefined_table, invalid_schema_name
}
