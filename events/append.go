package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// MaxAppend is the most events one Append may carry: JetStream's default
// limit for an atomic batch.
const MaxAppend = 1000

// maxCommandID bounds command ids so that event ids stay short headers.
const maxCommandID = 64

// Meta is what a command knows about the events it produces. Every event of
// one Append shares it.
type Meta struct {
	// CommandID identifies the command. Event ids are derived from it
	// ("<command id>.<n>"), so appending the same command twice stores it
	// once. Empty means a fresh NUID (22 characters, unique without coordination).
	CommandID     string
	Source        string // ce-source; the store's default when empty
	TenantID      string // ce-tenantid
	Actor         string // ce-actor
	CorrelationID string // ce-correlationid; the command id when empty
	CausationID   string // ce-causationid; the command id when empty
}

// Expectation is the version an aggregate must be at for an append to
// succeed. The zero value expects a new aggregate (version 0).
type Expectation struct {
	version StreamSeq
	any     bool
}

// ExpectVersion expects the aggregate's last event to be at sequence v
// (0: the aggregate has no events yet).
func ExpectVersion(v StreamSeq) Expectation { return Expectation{version: v} }

// ExpectNew expects the aggregate to have no events.
func ExpectNew() Expectation { return Expectation{} }

// AnyVersion appends without a version check. Use it only for facts that
// cannot contradict anything, such as an observed IP address.
func AnyVersion() Expectation { return Expectation{any: true} }

// Checked reports whether the expectation is enforced, and at which version.
func (e Expectation) Checked() (StreamSeq, bool) { return e.version, !e.any }

// Change is one aggregate's part of an append.
type Change struct {
	Aggregate Ref
	Expect    Expectation
	Events    []Payload
}

// Appended is the outcome of a successful Append.
type Appended struct {
	// Versions holds, for each change in order, the aggregate's new
	// version: the sequence of its last event.
	Versions []StreamSeq
	// Last is the sequence of the append's last event; a read model that
	// has passed it reflects the command.
	Last StreamSeq
	// Duplicate is true when the command id had been stored before; the
	// sequences are those of the earlier append and nothing new was stored.
	Duplicate bool
	// CommandID is the command id the events were stored under.
	CommandID string
}

// Append stores the changes' events, all or nothing. A single event goes out
// as one publish; anything more as one JetStream atomic batch, with each
// aggregate's version check on its first event. If an aggregate moved, the
// error is a *ConflictError (errors.Is(err, ErrConflict)) and nothing is
// stored. If the command id was stored before, Append returns the earlier
// result with Duplicate set.
func (s *Store) Append(ctx context.Context, meta Meta, changes ...Change) (Appended, error) {
	msgs, meta, err := s.build(meta, changes)
	if err != nil {
		return Appended{}, err
	}
	if len(msgs) == 1 {
		return s.publishOne(ctx, meta, changes, msgs[0])
	}
	return s.publishBatch(ctx, meta, changes, msgs)
}

// build validates the changes and turns them into messages.
func (s *Store) build(meta Meta, changes []Change) ([]*nats.Msg, Meta, error) {
	total := 0
	seen := make(map[Ref]bool, len(changes))
	for _, c := range changes {
		if c.Aggregate.IsZero() {
			return nil, meta, errors.New("events: append to a zero aggregate reference")
		}
		if seen[c.Aggregate] {
			return nil, meta, fmt.Errorf("events: append names %s twice; merge its events into one change", c.Aggregate)
		}
		seen[c.Aggregate] = true
		if len(c.Events) == 0 {
			return nil, meta, fmt.Errorf("events: change for %s has no events", c.Aggregate)
		}
		total += len(c.Events)
	}
	if total == 0 {
		return nil, meta, ErrEmptyAppend
	}
	if total > MaxAppend {
		return nil, meta, fmt.Errorf("%w: %d > %d", ErrAppendTooLarge, total, MaxAppend)
	}
	if meta.CommandID == "" {
		meta.CommandID = nuid.Next()
	} else if err := checkCommandID(meta.CommandID); err != nil {
		return nil, meta, err
	}
	if meta.Source == "" {
		meta.Source = s.source
	}
	if meta.CorrelationID == "" {
		meta.CorrelationID = meta.CommandID
	}
	if meta.CausationID == "" {
		meta.CausationID = meta.CommandID
	}

	// Header values shared by every event of the append are built once;
	// nothing downstream mutates them.
	var shared sharedHeaders
	if meta.Source == s.source {
		shared.source = s.sourceHeader
	}
	// One allocation each for the messages and for the per-event header
	// values (ce-id and the version check).
	slab := make([]nats.Msg, total)
	vals := make([]string, 2*total)
	msgs := make([]*nats.Msg, 0, total)
	n := 0
	for _, c := range changes {
		for i, p := range c.Events {
			k, data, err := s.catalog.encode(p)
			if err != nil {
				return nil, meta, err
			}
			shared.typ = k.header
			env := Envelope{
				ID:            eventID(meta.CommandID, n),
				Type:          k.header[0],
				Source:        meta.Source,
				Aggregate:     c.Aggregate,
				TenantID:      meta.TenantID,
				Actor:         meta.Actor,
				CorrelationID: meta.CorrelationID,
				CausationID:   meta.CausationID,
				SchemaVersion: k.version,
			}
			m := &slab[n]
			// Up to 8 entries stay a single-group map (no table allocation).
			m.Subject, m.Header, m.Data = c.Aggregate.Subject(), make(nats.Header, 8), data
			h := m.Header
			env.writeHeaders(h, &shared, vals[2*n:2*n+1])
			// A checked change needs no Nats-Msg-Id: a retry of it fails
			// the version check before the server looks at the duplicate
			// window, and failed() finds the earlier copy (ADR-0002).
			// Unchecked changes rely on the window.
			v, checked := c.Expect.Checked()
			if !checked {
				h[jetstream.MsgIDHeader] = h[HeaderID]
			} else if i == 0 {
				vals[2*n+1] = strconv.FormatUint(uint64(v), 10)
				h[jetstream.ExpectedLastSubjSeqHeader] = vals[2*n+1 : 2*n+2 : 2*n+2]
			}
			msgs = append(msgs, m)
			n++
		}
	}
	return msgs, meta, nil
}

func eventID(commandID string, n int) string {
	return commandID + "." + strconv.Itoa(n)
}

func checkCommandID(id string) error {
	if len(id) > maxCommandID {
		return fmt.Errorf("events: command id longer than %d characters", maxCommandID)
	}
	if err := checkID(id); err != nil {
		return fmt.Errorf("events: command id: %w", err)
	}
	return nil
}

func (s *Store) publishOne(ctx context.Context, meta Meta, changes []Change, msg *nats.Msg) (Appended, error) {
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return s.failed(ctx, meta, changes, err)
	}
	return Appended{
		Versions:  []StreamSeq{StreamSeq(ack.Sequence)},
		Last:      StreamSeq(ack.Sequence),
		Duplicate: ack.Duplicate,
		CommandID: meta.CommandID,
	}, nil
}

func (s *Store) publishBatch(ctx context.Context, meta Meta, changes []Change, msgs []*nats.Msg) (Appended, error) {
	ack, err := jetstreamext.PublishMsgBatch(ctx, s.js, msgs)
	if err != nil {
		return s.failed(ctx, meta, changes, err)
	}
	return appendedAt(meta.CommandID, changes, StreamSeq(ack.Sequence), false), nil
}

// appendedAt computes each change's version from the sequence of the
// append's last event: an atomic batch occupies contiguous sequences.
func appendedAt(commandID string, changes []Change, last StreamSeq, dup bool) Appended {
	total := 0
	for _, c := range changes {
		total += len(c.Events)
	}
	first := last - StreamSeq(total) + 1
	versions := make([]StreamSeq, len(changes))
	pos := first
	for i, c := range changes {
		pos += StreamSeq(len(c.Events))
		versions[i] = pos - 1
	}
	return Appended{Versions: versions, Last: last, Duplicate: dup, CommandID: commandID}
}

// JetStream error codes Append interprets.
const (
	codeWrongLastSeq      jetstream.ErrorCode = jetstream.JSErrCodeStreamWrongLastSequence
	codeWrongLastSeqConst jetstream.ErrorCode = jetstream.JSErrCodeStreamWrongLastSequenceConstant
	codeBatchDuplicate    jetstream.ErrorCode = jetstreamext.JSErrCodeBatchPublishDuplicateMsgID
)

// failed interprets a rejected append. A version mismatch or a duplicate
// message id may both mean that this very command was stored earlier (a
// client retry after a lost reply): JetStream checks the expected version
// before the duplicate window on single publishes, and the window is finite.
// So before reporting a conflict, look for the command's first event among
// the aggregate's later events.
func (s *Store) failed(ctx context.Context, meta Meta, changes []Change, err error) (Appended, error) {
	var jsErr jetstream.JetStreamError
	if !errors.As(err, &jsErr) || jsErr.APIError() == nil {
		return Appended{}, fmt.Errorf("append %s: %w", meta.CommandID, err)
	}
	code := jsErr.APIError().ErrorCode
	if code != codeWrongLastSeq && code != codeWrongLastSeqConst && code != codeBatchDuplicate {
		return Appended{}, fmt.Errorf("append %s: %w", meta.CommandID, err)
	}

	// The command's first event belongs to changes[0]; look after the
	// version it expected, or within the duplicate window if unchecked.
	from, checked := changes[0].Expect.Checked()
	start := Position{Seq: from + 1}
	if !checked {
		start = Position{Time: time.Now().Add(-s.duplicateWindow(ctx) - time.Minute)}
	}
	seq, found, ferr := s.findEvent(ctx, changes[0].Aggregate, start, eventID(meta.CommandID, 0))
	if ferr != nil {
		return Appended{}, fmt.Errorf("append %s: %w (while checking for an earlier copy: %v)", meta.CommandID, err, ferr)
	}
	if found {
		total := 0
		for _, c := range changes {
			total += len(c.Events)
		}
		return appendedAt(meta.CommandID, changes, seq+StreamSeq(total)-1, true), nil
	}
	if code == codeBatchDuplicate {
		return Appended{}, fmt.Errorf("append %s: a message id of this command is stored, but not its first event: %w", meta.CommandID, err)
	}

	conflict := &ConflictError{Actual: parseWrongLastSeq(jsErr.APIError().Description)}
	for _, c := range changes {
		if _, checked := c.Expect.Checked(); checked {
			conflict.Aggregates = append(conflict.Aggregates, c.Aggregate)
		}
	}
	return Appended{}, conflict
}

// parseWrongLastSeq reads N from "wrong last sequence: N"; 0 when absent
// (replicated streams answer without it).
func parseWrongLastSeq(desc string) StreamSeq {
	i := strings.LastIndexByte(desc, ':')
	if i < 0 {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(desc[i+1:]), 10, 64)
	if err != nil {
		return 0
	}
	return StreamSeq(n)
}

func (s *Store) duplicateWindow(ctx context.Context) time.Duration {
	st, err := s.handle(ctx)
	if err != nil || st.CachedInfo() == nil {
		return DefaultDuplicateWindow
	}
	return st.CachedInfo().Config.Duplicates
}
