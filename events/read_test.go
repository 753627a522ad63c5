package events_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// Loading pages through Direct Get batches; an aggregate longer than one
// page loads whole and in order, interleaved with other aggregates' events.
func TestLoadPagesThroughLongAggregates(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a, b := account("long"), account("other")
	va, vb := events.StreamSeq(0), events.StreamSeq(0)
	for i := 0; i < 1300; i++ {
		ref, v := a, &va
		if i%3 == 2 {
			ref, v = b, &vb
		}
		r, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: ref, Expect: events.ExpectVersion(*v), Events: []events.Payload{deposited{Amount: i}}})
		if err != nil {
			t.Fatal(err)
		}
		*v = r.Versions[0]
	}
	recs := load(t, s, a)
	if len(recs) != 867 {
		t.Fatalf("loaded %d, want 867", len(recs))
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq <= recs[i-1].Seq || recs[i].Aggregate != a {
			t.Fatalf("record %d out of order or foreign: %+v", i, recs[i])
		}
	}
	if recs[len(recs)-1].Seq != va {
		t.Fatalf("last loaded seq %d, version %d", recs[len(recs)-1].Seq, va)
	}
	// After a version, only the later events.
	n := 0
	for _, err := range s.Load(ctx, a, recs[799].Seq) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 67 {
		t.Fatalf("loaded %d after the 800th, want 67", n)
	}
	// Nothing after the last version.
	for _, err := range s.Load(ctx, a, va) {
		t.Fatalf("loaded something after the last version (err %v)", err)
	}
}

func TestReadFilters(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	for i := 0; i < 10; i++ {
		if _, err := s.Append(ctx, events.Meta{}, events.Change{
			Aggregate: account(fmt.Sprint("r", i%2)), Expect: events.AnyVersion(),
			Events: []events.Payload{deposited{Amount: i}},
		}); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: events.MustRef("name", "n"), Events: []events.Payload{nameClaimed{Account: "r0"}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(q events.Query) []events.StreamSeq {
		t.Helper()
		var seqs []events.StreamSeq
		for rec, err := range s.Read(ctx, q) {
			if err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, rec.Seq)
		}
		return seqs
	}
	cases := []struct {
		name string
		q    events.Query
		want string
	}{
		{"all", events.Query{}, "[1 2 3 4 5 6 7 8 9 10 11]"},
		{"after", events.Query{After: 8}, "[9 10 11]"},
		{"until seq", events.Query{UntilSeq: 3}, "[1 2 3]"},
		{"subject", events.Query{Subjects: []string{"wardnet.ev.account.r1"}}, "[2 4 7 9 11]"},
		{"type wildcard subject", events.Query{Subjects: []string{"wardnet.ev.name.*"}}, "[6]"},
		{"type", events.Query{Types: []string{"test.name.claimed"}}, "[6]"},
		{"no match", events.Query{Subjects: []string{"wardnet.ev.none.*"}}, "[]"},
		{"past the end", events.Query{After: 11}, "[]"},
		{"future", events.Query{Since: time.Now().Add(time.Hour)}, "[]"},
		{"until the past", events.Query{Until: time.Now().Add(-time.Hour)}, "[]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(read(c.q)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestFollowSeesNewEvents(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	got := make(chan events.StreamSeq, 10)
	go func() {
		for rec, err := range s.Follow(ctx, events.Query{}) {
			if err != nil {
				return
			}
			got <- rec.Seq
		}
	}()
	for i := 0; i < 3; i++ {
		if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: account("f"), Expect: events.AnyVersion(), Events: []events.Payload{deposited{Amount: i}}}); err != nil {
			t.Fatal(err)
		}
	}
	for want := events.StreamSeq(1); want <= 3; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("followed %d, want %d", seq, want)
			}
		case <-ctx.Done():
			t.Fatal("follow did not deliver")
		}
	}
}

// A finished read leaves no consumer behind.
func TestReadCleansUp(t *testing.T) {
	t.Parallel()
	s, n := newStore(t)
	ctx := ctxT(t)
	if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: account("c"), Events: []events.Payload{deposited{Amount: 1}}}); err != nil {
		t.Fatal(err)
	}
	for range s.Read(ctx, events.Query{}) {
	}
	st, err := n.JS.Stream(ctx, events.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Fatalf("%d consumers left after a read", info.State.Consumers)
	}
}

// A load whose requests the server does not answer in time (its context
// ends before an answer, as a busy or reconnecting server would make it)
// is ErrNoAnswer, never an aggregate that looks empty: the batch reader
// ends such a page as quietly as a complete one.
func TestLoadWithoutAnAnswerIsAnError(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := ctxT(t)
	a := account("answered")
	if _, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: a, Expect: events.ExpectVersion(0), Events: []events.Payload{deposited{Amount: 1}}}); err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	var got []events.Record
	var loadErr error
	for rec, err := range s.Load(expired, a, 0) {
		if err != nil {
			loadErr = err
			break
		}
		got = append(got, rec)
	}
	if !errors.Is(loadErr, events.ErrNoAnswer) || len(got) != 0 {
		t.Fatalf("load without an answer: %d records, %v; want ErrNoAnswer", len(got), loadErr)
	}
	if recs := load(t, s, a); len(recs) != 1 {
		t.Fatalf("with an answer: %d records, want 1", len(recs))
	}
	for _, err := range s.Load(ctx, account("never"), 0) {
		t.Fatalf("an aggregate with no events: %v", err)
	}
}
