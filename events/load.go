package events

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// loadPage is how many messages one Direct Get batch request asks for.
const loadPage = 512

// Position is where a read starts: a stream sequence or, when Seq is 0, a
// time.
type Position struct {
	Seq  StreamSeq
	Time time.Time
}

// Load yields the events of one aggregate with sequence greater than after,
// oldest first. It reads with batched Direct Get and creates no consumer, so
// it costs one request per 512 events. The last Record's Seq is the
// aggregate's version.
func (s *Store) Load(ctx context.Context, ref Ref, after StreamSeq) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		err := s.scan(ctx, ref.Subject(), Position{Seq: after + 1}, func(m *jetstream.RawStreamMsg) (bool, error) {
			rec, err := s.decode(m.Subject, m.Sequence, m.Time, m.Header, m.Data)
			if err != nil {
				return false, err
			}
			return yield(rec, nil), nil
		})
		if err != nil {
			yield(Record{}, fmt.Errorf("load %s after %d: %w", ref, after, err))
		}
	}
}

// findEvent looks for the event with id among ref's events from start on.
func (s *Store) findEvent(ctx context.Context, ref Ref, start Position, id string) (StreamSeq, bool, error) {
	var found StreamSeq
	err := s.scan(ctx, ref.Subject(), start, func(m *jetstream.RawStreamMsg) (bool, error) {
		if first(m.Header, jetstream.MsgIDHeader) == id || first(m.Header, HeaderID) == id {
			found = StreamSeq(m.Sequence)
			return false, nil
		}
		return true, nil
	})
	return found, found != 0, err
}

// pageAttempts is how often scan asks for a page that got no answer (a
// busy or reconnecting server) before it gives up with ErrNoAnswer.
const pageAttempts = 3

// scan pages through the messages on subject from start, calling fn for each
// until fn returns false or the subject is exhausted.
//
// A page ends with the server's end-of-batch marker or its "no messages"
// answer. The batch reader (jetstreamext) ends a page that timed out the
// same way as one that was complete, without an error, so a page that
// yielded nothing without saying "no messages" is no proof that nothing
// is there: it is asked again, pageAttempts times, and then it is
// ErrNoAnswer, never an aggregate that looks empty. (A page cut short
// after some messages is harmless: the next page starts after them.)
func (s *Store) scan(ctx context.Context, subject string, start Position, fn func(*jetstream.RawStreamMsg) (bool, error)) error {
	pos := start
	unanswered := 0
	for {
		opts := []jetstreamext.GetBatchOpt{jetstreamext.GetBatchSubject(subject)}
		if pos.Seq > 0 || pos.Time.IsZero() {
			opts = append(opts, jetstreamext.GetBatchSeq(max(uint64(pos.Seq), 1)))
		} else {
			opts = append(opts, jetstreamext.GetBatchStartTime(pos.Time))
		}
		msgs, err := jetstreamext.GetBatch(ctx, s.js, StreamName, loadPage, opts...)
		if err != nil {
			return err
		}
		var (
			count   int
			lastSeq uint64
			pending = -1
		)
		for m, err := range msgs {
			if errors.Is(err, jetstreamext.ErrNoMessages) {
				return nil
			}
			if err != nil {
				return err
			}
			count++
			lastSeq = m.Sequence
			if p, perr := strconv.Atoi(m.Header.Get("Nats-Num-Pending")); perr == nil {
				pending = p
			}
			more, err := fn(m)
			if err != nil || !more {
				return err
			}
		}
		if count == 0 {
			if unanswered++; unanswered >= pageAttempts || ctx.Err() != nil {
				return fmt.Errorf("%w: %d requests for %s from %v", ErrNoAnswer, unanswered, subject, pos)
			}
			continue
		}
		unanswered = 0
		if pending == 0 {
			return nil
		}
		pos = Position{Seq: StreamSeq(lastSeq + 1)}
	}
}

// ConnOption sizes a NATS connection's synchronous subscriptions for the
// store. Load's batched Direct Get reads each page through a short-lived
// synchronous subscription, whose channel nats.go allocates at the
// connection's SyncQueueLen: 65 536 slots (512 KiB) by default, for a page
// of at most 512 messages. Connections that load aggregates should be
// made with this option; it affects nothing but synchronous subscriptions.
func ConnOption() nats.Option { return nats.SyncQueueLen(2 * loadPage) }
