package events_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

func TestAppendAndLoad(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a := account("a1")

	res, err := s.Append(ctx, events.Meta{TenantID: "t1", Actor: "user:alice"}, events.Change{
		Aggregate: a, Expect: events.ExpectNew(), Events: []events.Payload{accountOpened{Owner: "alice"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Last != 1 || res.Versions[0] != 1 || res.Duplicate {
		t.Fatalf("first append: %+v", res)
	}
	res, err = s.Append(ctx, events.Meta{}, events.Change{
		Aggregate: a, Expect: events.ExpectVersion(res.Versions[0]),
		Events: []events.Payload{deposited{Amount: 5}, deposited{Amount: 7}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Last != 3 || res.Versions[0] != 3 {
		t.Fatalf("second append: %+v", res)
	}

	recs := load(t, s, a)
	if len(recs) != 3 {
		t.Fatalf("loaded %d events, want 3", len(recs))
	}
	if got := recs[0].Data.(accountOpened).Owner; got != "alice" {
		t.Fatalf("owner = %q", got)
	}
	if recs[0].TenantID != "t1" || recs[0].Actor != "user:alice" || recs[0].Aggregate != a {
		t.Fatalf("envelope not round-tripped: %+v", recs[0].Envelope)
	}
	if recs[0].CorrelationID == "" || recs[0].CausationID == "" || recs[0].Time.IsZero() || recs[0].Source == "" {
		t.Fatalf("defaults not applied: %+v", recs[0].Envelope)
	}
	if recs[2].Data.(deposited).Amount != 7 || recs[2].Seq != 3 {
		t.Fatalf("last event: %+v", recs[2])
	}
	if v, err := s.Version(ctx, a); err != nil || v != 3 {
		t.Fatalf("version = %d, %v", v, err)
	}
	if v, err := s.Version(ctx, account("nobody")); err != nil || v != 0 {
		t.Fatalf("version of a new aggregate = %d, %v", v, err)
	}
}

// Two writers decide on the same version: exactly one append wins, the
// other gets a ConflictError and stores nothing.
func TestConcurrentAppendsOneWins(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a := account("race")
	res, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: a, Events: []events.Payload{accountOpened{Owner: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Versions[0]

	for round := 0; round < 20; round++ {
		var (
			wg        sync.WaitGroup
			wins      = make(chan events.StreamSeq, 2)
			conflicts = make(chan error, 2)
		)
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.Append(ctx, events.Meta{}, events.Change{
					Aggregate: a, Expect: events.ExpectVersion(v), Events: []events.Payload{deposited{Amount: w}},
				})
				if err != nil {
					conflicts <- err
					return
				}
				wins <- r.Versions[0]
			}()
		}
		wg.Wait()
		close(wins)
		close(conflicts)
		if len(wins) != 1 || len(conflicts) != 1 {
			t.Fatalf("round %d: %d wins, %d errors; want exactly one of each", round, len(wins), len(conflicts))
		}
		err := <-conflicts
		var ce *events.ConflictError
		if !errors.Is(err, events.ErrConflict) || !errors.As(err, &ce) {
			t.Fatalf("loser got %v, want a ConflictError", err)
		}
		v = <-wins
		if ce.Actual != v || len(ce.Aggregates) != 1 || ce.Aggregates[0] != a {
			t.Fatalf("conflict %+v, winner at %d", ce, v)
		}
	}
	if n := len(load(t, s, a)); n != 21 {
		t.Fatalf("stored %d events, want 21", n)
	}
}

// A multi-aggregate append where one expected version is stale stores
// nothing at all.
func TestAtomicAppendWithStaleVersionStoresNothing(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a, name := account("a"), events.MustRef("name", "alice")
	if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: name, Events: []events.Payload{nameClaimed{Account: "other"}}}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.LastSeq(ctx)

	_, err := s.Append(ctx, events.Meta{},
		events.Change{Aggregate: a, Expect: events.ExpectNew(), Events: []events.Payload{accountOpened{Owner: "alice"}, deposited{Amount: 1}}},
		events.Change{Aggregate: name, Expect: events.ExpectNew(), Events: []events.Payload{nameClaimed{Account: "a"}}},
	)
	var ce *events.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want ConflictError", err)
	}
	if ce.Actual != 1 || len(ce.Aggregates) != 2 {
		t.Fatalf("conflict = %+v", ce)
	}
	after, _ := s.LastSeq(ctx)
	if after != before {
		t.Fatalf("log grew from %d to %d: a failed atomic append stored something", before, after)
	}
	if n := len(load(t, s, a)); n != 0 {
		t.Fatalf("account has %d events after a failed atomic append", n)
	}

	// With the right versions, both aggregates advance in one append and
	// their versions are the sequences of their last events.
	res, err := s.Append(ctx, events.Meta{},
		events.Change{Aggregate: a, Expect: events.ExpectNew(), Events: []events.Payload{accountOpened{Owner: "alice"}, deposited{Amount: 1}}},
		events.Change{Aggregate: name, Expect: events.ExpectVersion(1), Events: []events.Payload{nameClaimed{Account: "a"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if res.Versions[0] != 3 || res.Versions[1] != 4 || res.Last != 4 {
		t.Fatalf("versions = %+v", res)
	}
	for ref, want := range map[events.Ref]events.StreamSeq{a: 3, name: 4} {
		if v, _ := s.Version(ctx, ref); v != want {
			t.Fatalf("%s at %d, want %d", ref, v, want)
		}
	}
}

// A command retried with the same id is stored once, whether the retry
// carries the same expected version (JetStream's duplicate window), a stale
// one (the aggregate moved on since), or spans several aggregates.
func TestRetriedCommandStoredOnce(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)

	single := func() (events.Appended, error) {
		return s.Append(ctx, events.Meta{CommandID: "cmd-open"}, events.Change{
			Aggregate: account("r1"), Expect: events.ExpectNew(), Events: []events.Payload{accountOpened{Owner: "r"}},
		})
	}
	first, err := single()
	if err != nil {
		t.Fatal(err)
	}
	again, err := single()
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !again.Duplicate || again.Last != first.Last {
		t.Fatalf("retry = %+v, want duplicate of %+v", again, first)
	}

	// Unchecked single appends are deduplicated by the window alone.
	for i := 0; i < 2; i++ {
		r, err := s.Append(ctx, events.Meta{CommandID: "cmd-any"}, events.Change{
			Aggregate: account("r1"), Expect: events.AnyVersion(), Events: []events.Payload{deposited{Amount: 1}},
		})
		if err != nil || r.Duplicate != (i == 1) {
			t.Fatalf("unchecked attempt %d: %+v, %v", i, r, err)
		}
	}

	batch := func() (events.Appended, error) {
		return s.Append(ctx, events.Meta{CommandID: "cmd-batch"},
			events.Change{Aggregate: account("r2"), Events: []events.Payload{accountOpened{Owner: "b"}, deposited{Amount: 2}}},
			events.Change{Aggregate: events.MustRef("name", "bee"), Events: []events.Payload{nameClaimed{Account: "r2"}}},
		)
	}
	bfirst, err := batch()
	if err != nil {
		t.Fatal(err)
	}
	bagain, err := batch()
	if err != nil {
		t.Fatalf("batch retry: %v", err)
	}
	if !bagain.Duplicate || fmt.Sprint(bagain.Versions) != fmt.Sprint(bfirst.Versions) {
		t.Fatalf("batch retry = %+v, want duplicate of %+v", bagain, bfirst)
	}

	// The aggregate moves on; the late retry still finds the earlier copy.
	if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: account("r2"), Expect: events.ExpectVersion(bfirst.Versions[0]), Events: []events.Payload{deposited{Amount: 3}}}); err != nil {
		t.Fatal(err)
	}
	late, err := batch()
	if err != nil || !late.Duplicate || late.Last != bfirst.Last {
		t.Fatalf("late batch retry = %+v, %v", late, err)
	}

	if n := len(load(t, s, account("r1"))); n != 2 {
		t.Fatalf("r1 has %d events, want 2", n)
	}
	if n := len(load(t, s, account("r2"))); n != 3 {
		t.Fatalf("r2 has %d events, want 3", n)
	}
	if last, _ := s.LastSeq(ctx); last != 6 {
		t.Fatalf("log holds %d events, want 6", last)
	}
}

func TestAppendRejectsBadInput(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a := account("bad")
	many := make([]events.Payload, events.MaxAppend+1)
	for i := range many {
		many[i] = deposited{Amount: i}
	}
	cases := map[string]struct {
		meta    events.Meta
		changes []events.Change
		want    error
	}{
		"nothing":         {changes: nil, want: events.ErrEmptyAppend},
		"no events":       {changes: []events.Change{{Aggregate: a}}},
		"zero aggregate":  {changes: []events.Change{{Events: []events.Payload{deposited{}}}}},
		"same twice":      {changes: []events.Change{{Aggregate: a, Events: []events.Payload{deposited{}}}, {Aggregate: a, Events: []events.Payload{deposited{}}}}},
		"too many":        {changes: []events.Change{{Aggregate: a, Events: many}}, want: events.ErrAppendTooLarge},
		"unknown type":    {changes: []events.Change{{Aggregate: a, Events: []events.Payload{unknownPayload{}}}}, want: events.ErrUnknownType},
		"bad command id":  {meta: events.Meta{CommandID: "a.b"}, changes: []events.Change{{Aggregate: a, Events: []events.Payload{deposited{}}}}},
		"long command id": {meta: events.Meta{CommandID: string(make([]byte, 65))}, changes: []events.Change{{Aggregate: a, Events: []events.Payload{deposited{}}}}},
	}
	for name, c := range cases {
		_, err := s.Append(ctx, c.meta, c.changes...)
		if err == nil {
			t.Errorf("%s: append succeeded", name)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
	if last, _ := s.LastSeq(ctx); last != 0 {
		t.Fatalf("rejected appends stored %d events", last)
	}
}

type unknownPayload struct{}

func (unknownPayload) EventType() string { return "test.not.registered" }

// EnsureStream converges on this build's settings; a zero replica count
// means one on a new stream. (Never lowering an R3 stream needs a cluster
// to show; see the closing notes of the spine issue.)
func TestEnsureStreamSettings(t *testing.T) {
	t.Parallel()
	n := newNATS(t)
	ctx := ctxT(t)
	if _, err := events.EnsureStream(ctx, n.JS, events.StreamConfig{Replicas: 1}); err != nil {
		t.Fatal(err)
	}
	st, err := events.EnsureStream(ctx, n.JS, events.StreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	if cfg.Replicas != 1 || !cfg.DenyDelete || !cfg.DenyPurge || !cfg.AllowAtomicPublish || !cfg.AllowDirect || cfg.MaxMsgsPerSubject != -1 {
		t.Fatalf("stream settings: %+v", cfg)
	}
}
