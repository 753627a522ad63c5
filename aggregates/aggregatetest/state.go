package aggregatetest

import (
	"encoding/json"
	"reflect"
	"testing"
)

// JSONRoundTrip encodes each state as a snapshot stores it, decodes it into
// a zero S and wants it back deeply equal.
func JSONRoundTrip[S any](t testing.TB, states ...S) {
	t.Helper()
	for _, s := range states {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("encode %+v: %v", s, err)
		}
		var back S
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("round trip of %s:\n%+v\nwant\n%+v", b, back, s)
		}
	}
}
