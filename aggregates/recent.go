package aggregates

import (
	"strings"

	"github.com/wardnet/wardnet-cloud/events"
)

// recentCommands is how many of an aggregate's latest commands the runtime
// remembers to recognise a retried command (see the package comment).
const recentCommands = 32

// recentCommand is a command whose events an aggregate holds.
type recentCommand struct {
	ID  string           `json:"id"`
	Seq events.StreamSeq `json:"seq"` // the command's last event on the aggregate
}

// noteCommand records the event with id eventID at seq in recent and
// returns the updated list, dropping the oldest command beyond
// recentCommands. recent must be owned by the caller.
func noteCommand(recent []recentCommand, eventID string, seq events.StreamSeq) []recentCommand {
	cmd := commandOf(eventID)
	// One command's events on one aggregate are contiguous: they come from
	// one change of one atomic append.
	if n := len(recent); n > 0 && recent[n-1].ID == cmd {
		recent[n-1].Seq = seq
		return recent
	}
	if len(recent) >= recentCommands {
		recent = append(recent[:0], recent[len(recent)-recentCommands+1:]...)
	}
	return append(recent, recentCommand{ID: cmd, Seq: seq})
}

// applied returns the sequence of command id's last event on the
// aggregate, if it is among the recent commands.
func (p position) applied(id string) (events.StreamSeq, bool) {
	for i := len(p.recent) - 1; i >= 0; i-- {
		if p.recent[i].ID == id {
			return p.recent[i].Seq, true
		}
	}
	return 0, false
}

// commandOf returns the command id an event id "<command id>.<n>" was
// derived from. Command ids contain no '.', so the split is exact.
func commandOf(eventID string) string {
	if i := strings.LastIndexByte(eventID, '.'); i > 0 {
		return eventID[:i]
	}
	return eventID
}
