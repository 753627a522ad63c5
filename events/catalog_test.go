package events_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

// Schema history of one event type, as it would evolve in the codebase:
// v1 {"name": "Alice Smith"} → v2 {"first","last"} → v3 adds "locale".
type userRenamedV1 struct {
	Name string `json:"name"`
}

func (userRenamedV1) EventType() string { return "test.user.renamed" }

type userRenamed struct {
	First  string `json:"first"`
	Last   string `json:"last"`
	Locale string `json:"locale"`
}

func (userRenamed) EventType() string { return "test.user.renamed" }

func splitName(old json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(old, &v1); err != nil {
		return nil, err
	}
	first, last, _ := cut(v1.Name, ' ')
	return json.Marshal(map[string]string{"first": first, "last": last})
}

func addLocale(old json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(old, &m); err != nil {
		return nil, err
	}
	m["locale"] = "en"
	return json.Marshal(m)
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestUpcastOnRead(t *testing.T) {
	t.Parallel()
	n := newNATS(t)
	ctx := ctxT(t)
	user := events.MustRef("user", "u1")

	// An old build writes v1.
	old := events.NewCatalog()
	events.Register[userRenamedV1](old, 1)
	if _, err := n.Store(t, old).Append(ctx, events.Meta{}, events.Change{
		Aggregate: user, Events: []events.Payload{userRenamedV1{Name: "Ada Lovelace"}},
	}); err != nil {
		t.Fatal(err)
	}

	// The current build knows v3 and upcasts on read; the stored bytes stay.
	cur := events.NewCatalog()
	events.Register[userRenamed](cur, 3, splitName, addLocale)
	s := n.Store(t, cur)
	recs := load(t, s, user)
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	got, ok := recs[0].Data.(userRenamed)
	if !ok {
		t.Fatalf("payload is %T, want userRenamed", recs[0].Data)
	}
	if got != (userRenamed{First: "Ada", Last: "Lovelace", Locale: "en"}) {
		t.Fatalf("upcast = %+v", got)
	}
	if recs[0].SchemaVersion != 1 {
		t.Fatalf("envelope reports schema version %d; it must report what is stored", recs[0].SchemaVersion)
	}

	// New writes are stored at v3 and read back unchanged.
	if _, err := s.Append(ctx, events.Meta{}, events.Change{
		Aggregate: user, Expect: events.ExpectVersion(recs[0].Seq), Events: []events.Payload{userRenamed{First: "A", Last: "B", Locale: "fr"}},
	}); err != nil {
		t.Fatal(err)
	}
	recs = load(t, s, user)
	if recs[1].SchemaVersion != 3 || recs[1].Data.(userRenamed).Locale != "fr" {
		t.Fatalf("v3 record = %+v", recs[1])
	}

	// The old build cannot read v3: a clear error, not a silent misread.
	for _, err := range n.Store(t, old).Load(ctx, user, recs[0].Seq) {
		if !errors.Is(err, events.ErrFutureVersion) {
			t.Fatalf("old build reading v3: err = %v, want ErrFutureVersion", err)
		}
		break
	}
}

func TestCatalogDecode(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	events.Register[userRenamed](c, 3, splitName, addLocale)

	p, err := c.Decode("test.other", 7, []byte(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := p.(events.Unknown); !ok || u.Type != "test.other" || u.Version != 7 || string(u.Raw) != `{"x":1}` {
		t.Fatalf("unknown type decoded to %#v", p)
	}
	if _, err := c.Decode("test.user.renamed", 1, []byte(`{"name":`)); err == nil {
		t.Fatal("malformed v1 payload decoded")
	}
	if _, err := c.Decode("test.user.renamed", 3, []byte(`[]`)); err == nil {
		t.Fatal("array decoded into a struct")
	}
	if v, ok := c.Version("test.user.renamed"); !ok || v != 3 {
		t.Fatalf("version = %d, %v", v, ok)
	}
	if got := c.Types(); len(got) != 1 || got[0] != "test.user.renamed" {
		t.Fatalf("types = %v", got)
	}
}

func TestRegisterMisuse(t *testing.T) {
	t.Parallel()
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	c := events.NewCatalog()
	events.Register[deposited](c, 1)
	mustPanic("twice", func() { events.Register[deposited](c, 1) })
	mustPanic("missing upcaster", func() { events.Register[userRenamed](c, 3, splitName) })
	mustPanic("version 0", func() { events.Register[accountOpened](c, 0) })
}
