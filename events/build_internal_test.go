package events

import (
	"testing"
	"time"
)

type buildPayload struct {
	Network string `json:"network"`
	Slug    string `json:"slug"`
	Region  string `json:"region"`
	Address string `json:"address"`
}

func (buildPayload) EventType() string { return "bench.network.reported" }

func BenchmarkBuild(b *testing.B) {
	c := NewCatalog()
	Register[buildPayload](c, 1)
	s := &Store{catalog: c, now: time.Now, source: "/wardnet"}
	ch := []Change{{Aggregate: MustRef("bench", "x"), Expect: ExpectVersion(5), Events: []Payload{buildPayload{"01JABCDEF0123456789", "home-lab", "eu-central", "203.0.113.7"}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.build(Meta{}, ch); err != nil {
			b.Fatal(err)
		}
	}
}
