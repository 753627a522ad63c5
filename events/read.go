package events

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Query selects part of the log for a replay.
type Query struct {
	// Subjects are NATS subject filters under SubjectPrefix, e.g.
	// "wardnet.ev.tenant.*"; empty means the whole log.
	Subjects []string
	// Types keeps only events whose ce-type is listed; empty keeps all.
	Types []string
	// After starts the read after this sequence.
	After StreamSeq
	// Since starts the read at the first event stored at or after this time
	// (when After is 0).
	Since time.Time
	// Until stops the read before the first event stored after this time.
	Until time.Time
	// UntilSeq stops the read after this sequence.
	UntilSeq StreamSeq
}

// Read yields the events the query selects, oldest first, up to the end of
// the log as it was when Read started. It uses an ordered consumer, the
// fastest way to stream a range of JetStream, and deletes it when done.
func (s *Store) Read(ctx context.Context, q Query) iter.Seq2[Record, error] {
	return s.read(ctx, q, false)
}

// Follow is Read that does not stop at the end of the log: it waits for new
// events until ctx ends.
func (s *Store) Follow(ctx context.Context, q Query) iter.Seq2[Record, error] {
	return s.read(ctx, q, true)
}

func (s *Store) read(ctx context.Context, q Query, follow bool) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		cfg := jetstream.OrderedConsumerConfig{FilterSubjects: q.Subjects, DeliverPolicy: jetstream.DeliverAllPolicy}
		switch {
		case q.After > 0:
			cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
			cfg.OptStartSeq = uint64(q.After) + 1
		case !q.Since.IsZero():
			cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
			since := q.Since
			cfg.OptStartTime = &since
		}
		cons, err := s.js.OrderedConsumer(ctx, StreamName, cfg)
		if err != nil {
			yield(Record{}, fmt.Errorf("read: %w", err))
			return
		}
		// Leave nothing on the server: without this the consumer lingers
		// until its inactivity threshold.
		defer func() {
			if info := cons.CachedInfo(); info != nil {
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				defer cancel()
				_ = s.js.DeleteConsumer(dctx, StreamName, info.Name)
			}
		}()
		if !follow {
			if info := cons.CachedInfo(); info != nil && info.NumPending == 0 {
				return
			}
		}
		msgs, err := cons.Messages(jetstream.PullMaxMessages(loadPage))
		if err != nil {
			yield(Record{}, fmt.Errorf("read: %w", err))
			return
		}
		defer msgs.Stop()
		for {
			m, err := msgs.Next(jetstream.NextContext(ctx))
			if err != nil {
				if ctx.Err() != nil && follow {
					return
				}
				yield(Record{}, fmt.Errorf("read: %w", err))
				return
			}
			md, err := m.Metadata()
			if err != nil {
				yield(Record{}, fmt.Errorf("read: %w", err))
				return
			}
			seq := StreamSeq(md.Sequence.Stream)
			if (q.UntilSeq > 0 && seq > q.UntilSeq) || (!q.Until.IsZero() && md.Timestamp.After(q.Until)) {
				return
			}
			if len(q.Types) == 0 || slices.Contains(q.Types, first(m.Headers(), HeaderType)) {
				rec, err := s.decode(m.Subject(), md.Sequence.Stream, md.Timestamp, m.Headers(), m.Data())
				if !yield(rec, err) || err != nil {
					return
				}
			}
			if !follow && (md.NumPending == 0 || seq == q.UntilSeq) {
				return
			}
		}
	}
}
