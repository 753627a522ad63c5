package aggregates

import (
	"fmt"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

func at(seq events.StreamSeq) *frozen { return &frozen{position: position{seq: seq}} }

// The cache holds at most its size, evicting the least recently used.
func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := newLRU(2)
	c.put("a", at(1))
	c.put("b", at(2))
	if c.get("a") == nil { // a is now more recent than b
		t.Fatal("a missing")
	}
	c.put("c", at(3))
	if c.len() != 2 {
		t.Fatalf("len = %d, want 2", c.len())
	}
	if c.get("b") != nil || c.get("a") == nil || c.get("c") == nil {
		t.Fatal("evicted the wrong entry; want b gone, a and c kept")
	}
}

// A load that finishes late does not replace a later state with an
// earlier one.
func TestLRUKeepsTheLaterPosition(t *testing.T) {
	c := newLRU(2)
	c.put("a", at(5))
	c.put("a", at(3))
	if got := c.get("a").seq; got != 5 {
		t.Fatalf("seq = %d, want 5", got)
	}
	c.put("a", at(7))
	if got := c.get("a").seq; got != 7 {
		t.Fatalf("seq = %d, want 7", got)
	}
}

// The list of recent commands keeps the last recentCommands, one entry per
// command, with the sequence of its last event.
func TestNoteCommand(t *testing.T) {
	var r []recentCommand
	r = noteCommand(r, "c0.0", 1)
	r = noteCommand(r, "c0.1", 2)
	if len(r) != 1 || r[0] != (recentCommand{ID: "c0", Seq: 2}) {
		t.Fatalf("recent = %+v", r)
	}
	for i := 1; i <= recentCommands; i++ {
		r = noteCommand(r, fmt.Sprintf("c%d.0", i), events.StreamSeq(i+2))
	}
	p := position{recent: r}
	if len(r) != recentCommands {
		t.Fatalf("%d recent commands, want %d", len(r), recentCommands)
	}
	if _, ok := p.applied("c0"); ok {
		t.Fatal("the oldest command was not dropped")
	}
	if seq, ok := p.applied(r[len(r)-1].ID); !ok || seq != events.StreamSeq(recentCommands+2) {
		t.Fatalf("newest command: %d, %v", seq, ok)
	}
}
