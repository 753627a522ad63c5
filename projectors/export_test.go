package projectors

import (
	"errors"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/wardnet/wardnet-cloud/events"
)

// ErrTestCrash is what Run returns after a CrashAfterCommit crash.
var ErrTestCrash = errors.New("test crash after commit, before ack")

// CrashAfterCommit makes Run stop right after a commit and before the acks,
// without unpinning, as if the process were killed there, when crash
// returns true for the checkpoint just committed.
func CrashAfterCommit(o *Options, crash func(checkpoint events.StreamSeq) bool) {
	o.afterCommit = func(cp events.StreamSeq) error {
		if crash(cp) {
			return ErrTestCrash
		}
		return nil
	}
}

// AfterCommit calls f after each commit, before the acks.
func AfterCommit(o *Options, f func(checkpoint events.StreamSeq)) {
	o.afterCommit = func(cp events.StreamSeq) error { f(cp); return nil }
}

// AfterRebuildBatch calls f after each committed rebuild batch.
func AfterRebuildBatch(o *Options, f func(checkpoint events.StreamSeq)) { o.rebuildBatch = f }

// Decode is the runtime's message decoder.
func Decode(c *events.Catalog, subject string, seq uint64, stored time.Time, h nats.Header, data []byte) (events.Record, error) {
	return decoder{store: events.NewStore(nil, c)}.decode(subject, seq, stored, h, data)
}
