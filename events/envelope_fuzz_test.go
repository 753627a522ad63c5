package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// FuzzDecode feeds arbitrary headers and bodies, as they could arrive from
// the log, through the envelope parser and the catalogue: it must return a
// Record or an error, never panic, and a Record it returns must be whole.
func FuzzDecode(f *testing.F) {
	f.Add("wardnet.ev.account.a1", "id.0", "test.deposited", "1", time.Now().Format(time.RFC3339Nano), []byte(`{"amount":3}`))
	f.Add("wardnet.ev.account.a1", "id.0", "test.deposited", "2", "", []byte(`{"amount":"x"}`))
	f.Add("wardnet.ev.x", "", "", "-1", "yesterday", []byte(`\xff`))
	f.Add("wardnet.ev.account.a1", "i", "test.other", "999999999999999999999", "", []byte(`null`))

	c := NewCatalog()
	Register[fuzzPayload](c, 2, func(old json.RawMessage) (json.RawMessage, error) { return old, nil })
	s := &Store{catalog: c}

	f.Fuzz(func(t *testing.T, subject, id, typ, version, ts string, body []byte) {
		h := nats.Header{}
		h[HeaderID] = []string{id}
		h[HeaderType] = []string{typ}
		h[HeaderSchemaVersion] = []string{version}
		h[HeaderTime] = []string{ts}
		rec, err := s.decode(subject, 1, time.Unix(0, 0), h, body)
		if err != nil {
			return
		}
		if rec.ID == "" || rec.Type == "" || rec.Data == nil || rec.Aggregate.IsZero() || rec.SchemaVersion < 1 {
			t.Fatalf("decoded an incomplete record: %+v", rec)
		}
	})
}

type fuzzPayload struct {
	Amount int `json:"amount"`
}

func (fuzzPayload) EventType() string { return "test.deposited" }
