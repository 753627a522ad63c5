package aggregatetest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

type noted struct {
	Text string `json:"text"`
}

func (noted) EventType() string { return "test.note.noted" }

// log is a state that remembers every record it was folded with.
type log []events.Record

func evolve(s log, r events.Record) log { return append(s, r) }

func TestFoldNumbersAndTimesRecords(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := noted{"a"}, noted{"b"}
	for name, s := range map[string]log{
		"Fold":   aggregatetest.Fold(nil, evolve, a, b),
		"FoldAt": aggregatetest.FoldAt(nil, evolve, aggregatetest.Every(t0, time.Minute, a, b)...),
	} {
		if len(s) != 2 || s[0].Seq != 1 || s[1].Seq != 2 || s[0].Data != a || s[1].Data != b {
			t.Fatalf("%s: %+v", name, s)
		}
		if name == "FoldAt" && (!s[0].Time.Equal(t0) || !s[1].Time.Equal(t0.Add(time.Minute))) {
			t.Fatalf("FoldAt times %v, %v", s[0].Time, s[1].Time)
		}
	}
}

// Every racer of a Race has loaded before any decides; later attempts do
// not wait.
func TestRaceBarrier(t *testing.T) {
	t.Parallel()
	const n = 4
	var here atomic.Int32
	racer := func(_ context.Context, loaded func()) (aggregates.Result, error) {
		for attempt := 1; attempt <= 2; attempt++ {
			here.Add(1)
			loaded()
			if attempt == 1 && here.Load() < n {
				return aggregates.Result{}, errors.New("decided before every racer had loaded")
			}
		}
		return aggregates.Result{}, nil
	}
	racers := make([]aggregatetest.Racer, n)
	for i := range racers {
		racers[i] = racer
	}
	for i, o := range aggregatetest.Race(context.Background(), racers...) {
		if o.Err != nil || o.Attempts != 2 {
			t.Errorf("racer %d: %v after %d attempts", i, o.Err, o.Attempts)
		}
	}
}

// A racer that fails before loading does not hold the others at the
// barrier.
func TestRaceReleasesBarrierOnEarlyFailure(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	failed := errors.New("load failed")
	outs := aggregatetest.Race(ctx,
		func(context.Context, func()) (aggregates.Result, error) { return aggregates.Result{}, failed },
		func(_ context.Context, loaded func()) (aggregates.Result, error) {
			loaded()
			return aggregates.Result{}, nil
		},
	)
	if ctx.Err() != nil || !errors.Is(outs[0].Err, failed) || outs[0].Attempts != 0 || outs[1].Err != nil || outs[1].Attempts != 1 {
		t.Fatalf("outcomes %+v, context %v", outs, ctx.Err())
	}
}

// recorder is a testing.TB that notes failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.Errorf("%s", fmt.Sprint(args...)); runtime.Goexit() }

// failures runs check against a recorder and returns what it reported.
func failures(check func(testing.TB)) []string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failures
}

func TestOneWins(t *testing.T) {
	t.Parallel()
	taken := errors.New("taken")
	stored := aggregates.Result{Last: 7}
	cases := []struct {
		name string
		outs []aggregatetest.Outcome
		lost error
		ok   bool
	}{
		{"loser refused", []aggregatetest.Outcome{{Err: taken, Attempts: 2}, {Result: stored, Attempts: 1}}, taken, true},
		{"loser stored nothing", []aggregatetest.Outcome{{Result: stored, Attempts: 1}, {Attempts: 2}}, nil, true},
		{"both won", []aggregatetest.Outcome{{Attempts: 1}, {Attempts: 2}}, taken, false},
		{"other error", []aggregatetest.Outcome{{Err: errors.New("boom"), Attempts: 2}, {Attempts: 1}}, taken, false},
		{"both stored", []aggregatetest.Outcome{{Result: stored, Attempts: 1}, {Result: stored, Attempts: 2}}, nil, false},
		{"loser never retried", []aggregatetest.Outcome{{Err: taken, Attempts: 1}, {Attempts: 1}}, taken, false},
		{"three racers", []aggregatetest.Outcome{{Attempts: 1}, {Err: taken, Attempts: 2}, {Err: taken, Attempts: 2}}, taken, false},
	}
	for _, tc := range cases {
		got := failures(func(tb testing.TB) { aggregatetest.OneWins(tb, tc.outs, tc.lost) })
		if (len(got) == 0) != tc.ok {
			t.Errorf("%s: failures %q, want ok %v", tc.name, got, tc.ok)
		}
	}
}

func TestCheckCatalog(t *testing.T) {
	t.Parallel()
	register := func(c *events.Catalog) { events.Register[noted](c, 1) }
	good := aggregatetest.EventCase{Event: noted{"hi"}, Type: "test.note.noted", JSON: `{"text":"hi"}`}
	cases := []struct {
		name  string
		cases []aggregatetest.EventCase
		ok    bool
	}{
		{"covered", []aggregatetest.EventCase{good}, true},
		{"no case", nil, false},
		{"other JSON", []aggregatetest.EventCase{{Event: noted{"hi"}, Type: "test.note.noted", JSON: `{ "text": "hi" }`}}, false},
		{"other version", []aggregatetest.EventCase{{Event: noted{"hi"}, Type: "test.note.noted", Version: 2, JSON: `{"text":"hi"}`}}, false},
		{"type not registered", []aggregatetest.EventCase{good, {Event: noted{}, Type: "test.note.erased", JSON: `{"text":""}`}}, false},
	}
	for _, tc := range cases {
		got := failures(func(tb testing.TB) { aggregatetest.CheckCatalog(tb, register, tc.cases) })
		if (len(got) == 0) != tc.ok {
			t.Errorf("%s: failures %q, want ok %v", tc.name, got, tc.ok)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	type state struct {
		Kept int `json:"kept"`
		lost int // unexported: not in the snapshot
	}
	if got := failures(func(tb testing.TB) { aggregatetest.JSONRoundTrip(tb, state{Kept: 1}) }); len(got) != 0 {
		t.Errorf("exported state: %q", got)
	}
	if got := failures(func(tb testing.TB) { aggregatetest.JSONRoundTrip(tb, state{lost: 1}) }); len(got) == 0 {
		t.Error("a field lost in JSON went unnoticed")
	}
}

var _ aggregatetest.Command[log] = decideNote{}

type decideNote struct{ text string }

func (d decideNote) Decide(s log) ([]events.Payload, error) {
	if len(s) > 0 {
		return nil, errors.New("noted already")
	}
	return []events.Payload{noted{d.text}}, nil
}

func TestRunDecide(t *testing.T) {
	t.Parallel()
	fold := func(evs ...events.Payload) log { return aggregatetest.Fold(nil, evolve, evs...) }
	aggregatetest.RunDecide(t, fold, []aggregatetest.DecideCase[log]{
		{Name: "first", Cmd: decideNote{"a"}, Want: []events.Payload{noted{"a"}}},
		{Name: "again", Given: []events.Payload{noted{"a"}}, Cmd: decideNote{"b"}, Err: aggregatetest.ErrAny},
	})
}
