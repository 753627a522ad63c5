package aggregatetest

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

// EventCase is one event of a catalogue test: the payload, its ce-type, its
// schema version (0 means 1) and its JSON encoding, byte for byte.
type EventCase struct {
	Event   events.Payload
	Type    string
	Version int
	JSON    string
}

// CheckCatalog builds a catalogue with register and checks that the cases
// cover exactly its types (a type may have several cases), and that every
// case's event encodes under its type and version to its JSON and decodes
// back deeply equal.
func CheckCatalog(t testing.TB, register func(*events.Catalog), cases []EventCase) {
	t.Helper()
	c := events.NewCatalog()
	register(c)
	covered := make(map[string]bool)
	for _, tc := range cases {
		covered[tc.Type] = true
	}
	for _, typ := range c.Types() {
		if !covered[typ] {
			t.Errorf("catalogue type %s has no case", typ)
		}
		delete(covered, typ)
	}
	for typ := range covered {
		t.Errorf("case type %s is not in the catalogue", typ)
	}
	for _, tc := range cases {
		want := max(tc.Version, 1)
		name, version, data, err := c.Encode(tc.Event)
		if err != nil {
			t.Fatalf("encode %T: %v", tc.Event, err)
		}
		if name != tc.Type || version != want || string(data) != tc.JSON {
			t.Errorf("encode %T: %s v%d %s, want %s v%d %s", tc.Event, name, version, data, tc.Type, want, tc.JSON)
		}
		back, err := c.Decode(name, version, data)
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		if !reflect.DeepEqual(back, tc.Event) {
			t.Errorf("decode %s: %#v, want %#v", name, back, tc.Event)
		}
	}
}
