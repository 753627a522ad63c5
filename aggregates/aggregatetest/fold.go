package aggregatetest

import (
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// Fold evolves initial through evs as a load does: the i-th event (from 0)
// is stored at sequence i+1, with a zero time.
func Fold[S any](initial S, evolve func(S, events.Record) S, evs ...events.Payload) S {
	s := initial
	for i, e := range evs {
		s = evolve(s, events.Record{Seq: events.StreamSeq(i + 1), Data: e})
	}
	return s
}

// Timed is an event with the time the log stored it at.
type Timed struct {
	At    time.Time
	Event events.Payload
}

// At is the event ev stored at t.
func At(t time.Time, ev events.Payload) Timed { return Timed{At: t, Event: ev} }

// Every stores evs step apart, the first at start; a zero step stores them
// all at start.
func Every(start time.Time, step time.Duration, evs ...events.Payload) []Timed {
	ts := make([]Timed, len(evs))
	for i, e := range evs {
		ts[i] = At(start.Add(time.Duration(i)*step), e)
	}
	return ts
}

// FoldAt is Fold for aggregates whose Evolve reads the record's time: the
// i-th event (from 0) is stored at sequence i+1 and at its time.
func FoldAt[S any](initial S, evolve func(S, events.Record) S, evs ...Timed) S {
	s := initial
	for i, e := range evs {
		s = evolve(s, events.Record{Envelope: events.Envelope{Time: e.At}, Seq: events.StreamSeq(i + 1), Data: e.Event})
	}
	return s
}
