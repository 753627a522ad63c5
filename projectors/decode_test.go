package projectors_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

type renamedV2 struct {
	Label string `json:"label"`
}

func (renamedV2) EventType() string { return "test.thing.renamed" }

// The runtime decodes consumer messages exactly as the event store decodes
// what it reads itself: every envelope field, including the ones the
// compact envelope leaves out, and the upcast payload.
func TestDecodeMatchesStore(t *testing.T) {
	t.Parallel()
	c := catalog()
	events.Register[renamedV2](c, 2, func(old json.RawMessage) (json.RawMessage, error) { return old, nil })
	e := newEnv(t)
	s := events.NewStore(e.nats.JS, c, events.WithSource("/tests"))
	ctx := ctxT(t)
	appends := []struct {
		meta events.Meta
		ps   []events.Payload
	}{
		{events.Meta{}, []events.Payload{deposited{Amount: 1}}},
		{events.Meta{TenantID: "t1", Actor: "user:1", CorrelationID: "req-1", CausationID: "evt-9"}, []events.Payload{deposited{Amount: 2}, renamedV2{Label: "x"}}},
		{events.Meta{CommandID: "cmd-1", Source: "/other"}, []events.Payload{noted{Text: "hi"}}},
	}
	for i, a := range appends {
		if _, err := s.Append(ctx, a.meta, events.Change{Aggregate: events.MustRef("thing", string(rune('a'+i))), Expect: events.AnyVersion(), Events: a.ps}); err != nil {
			t.Fatal(err)
		}
	}
	var want []events.Record
	for r, err := range s.Read(ctx, events.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	cons, err := e.nats.JS.OrderedConsumer(ctx, events.StreamName, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := cons.Messages()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	for i, w := range want {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		md, _ := m.Metadata()
		got, err := projectors.Decode(c, m.Subject(), md.Sequence.Stream, md.Timestamp, m.Headers(), m.Data())
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if len(want) != 4 {
		t.Fatalf("read %d events, want 4", len(want))
	}
}
