package projectors

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/wardnet/wardnet-cloud/events"
)

// decoder turns consumer messages into Records: payloads decoded by the
// store's catalogue, or left raw for projections that read only envelopes.
type decoder struct {
	store        *events.Store
	envelopeOnly bool
}

func (d decoder) decode(subject string, seq uint64, stored time.Time, h nats.Header, data []byte) (events.Record, error) {
	var (
		rec events.Record
		err error
	)
	if d.envelopeOnly {
		rec, err = events.DecodeEnvelope(subject, events.StreamSeq(seq), stored, h, data)
	} else {
		rec, err = d.store.Decode(subject, events.StreamSeq(seq), stored, h, data)
	}
	if errors.Is(err, events.ErrMalformed) {
		return events.Record{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return rec, err
}
