package events

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// CloudEvents attributes carried as NATS headers. The first six are the
// CloudEvents 1.0 context attributes; the others are Wardnet extensions.
const (
	HeaderSpecVersion   = "ce-specversion"
	HeaderID            = "ce-id"
	HeaderType          = "ce-type"
	HeaderSource        = "ce-source"
	HeaderTime          = "ce-time" // written before ADR 0004 only: the stream's timestamp is the event's time
	HeaderTenantID      = "ce-tenantid"
	HeaderActor         = "ce-actor"
	HeaderCorrelationID = "ce-correlationid"
	HeaderCausationID   = "ce-causationid"
	HeaderSchemaVersion = "ce-schemaversion"

	specVersion = "1.0"
)

// Envelope is everything about an event except its payload.
type Envelope struct {
	ID            string    // ce-id, also the Nats-Msg-Id
	Type          string    // ce-type, the catalogue name of the payload
	Source        string    // ce-source, the service that decided it, e.g. "/tenants"
	Aggregate     Ref       // the aggregate, from the NATS subject
	Time          time.Time // when the log stored the event (JetStream's timestamp)
	TenantID      string    // ce-tenantid, the tenant the event concerns, if any
	Actor         string    // ce-actor, who caused it: a user, a daemon, a process manager
	CorrelationID string    // ce-correlationid, shared by everything one request caused
	CausationID   string    // ce-causationid, the id of the command or event that caused this one
	SchemaVersion int       // ce-schemaversion, the payload's schema version as stored
}

// Record is an event as stored in the log.
type Record struct {
	Envelope
	Seq StreamSeq // the event's sequence in the EVENTS stream
	// Data is the decoded payload, upcast to the catalogue's current version.
	// An event whose type the catalogue does not know decodes to Unknown.
	Data Payload
}

// writeHeaders fills h with the envelope's attributes, leaving out what the
// reader can derive, because every header byte is scanned by the server on
// each of its header lookups (docs/adr/0003-compact-envelope.md):
//   - ce-subject: the NATS subject names the aggregate;
//   - ce-time: the stream's own timestamp is the event's time, the same on
//     every replica and mirror and in the order of the sequence;
//   - ce-schemaversion when it is 1;
//   - ce-correlationid and ce-causationid when they equal the command id,
//     the part of ce-id before its last '.';
//   - the data content type, which is always JSON.
//
// vals is spare room for the values that differ per event, so that one
// allocation serves them all.
func (e *Envelope) writeHeaders(h nats.Header, shared *sharedHeaders, vals []string) {
	h[HeaderSpecVersion] = specVersionValue
	vals[0] = e.ID
	h[HeaderID] = vals[0:1:1]
	if shared.typ != nil {
		h[HeaderType] = shared.typ
	} else {
		h[HeaderType] = []string{e.Type}
	}
	if shared.source == nil {
		shared.source = []string{e.Source}
	}
	h[HeaderSource] = shared.source
	if e.SchemaVersion != 1 {
		h[HeaderSchemaVersion] = []string{strconv.Itoa(e.SchemaVersion)}
	}
	if e.TenantID != "" {
		if shared.tenant == nil {
			shared.tenant = []string{e.TenantID}
		}
		h[HeaderTenantID] = shared.tenant
	}
	if e.Actor != "" {
		if shared.actor == nil {
			shared.actor = []string{e.Actor}
		}
		h[HeaderActor] = shared.actor
	}
	cmd := commandOf(e.ID)
	if e.CorrelationID != cmd {
		setIf(h, HeaderCorrelationID, e.CorrelationID)
	}
	if e.CausationID != cmd {
		setIf(h, HeaderCausationID, e.CausationID)
	}
}

// commandOf returns the command id an event id was derived from.
func commandOf(eventID string) string {
	if i := strings.LastIndexByte(eventID, '.'); i > 0 {
		return eventID[:i]
	}
	return eventID
}

// sharedHeaders holds header values that every event of one append shares,
// built on first use. Header value slices are never mutated after a message
// is built, so messages may share them.
type sharedHeaders struct {
	typ, source, tenant, actor []string
}

var specVersionValue = []string{specVersion}

func setIf(h nats.Header, key, value string) {
	if value != "" {
		h[key] = []string{value}
	}
}

// parseEnvelope reads the envelope of a message stored on subject at time
// stored. It is strict about what it needs to decode the payload (id, type,
// schema version, a valid subject) and lenient about the rest.
func parseEnvelope(subject string, stored time.Time, h nats.Header) (Envelope, error) {
	ref, err := ParseSubject(subject)
	if err != nil {
		return Envelope{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	e := Envelope{
		ID:            first(h, HeaderID),
		Type:          first(h, HeaderType),
		Source:        first(h, HeaderSource),
		Aggregate:     ref,
		TenantID:      first(h, HeaderTenantID),
		Actor:         first(h, HeaderActor),
		CorrelationID: first(h, HeaderCorrelationID),
		CausationID:   first(h, HeaderCausationID),
		Time:          stored,
	}
	if e.ID == "" || e.Type == "" {
		return Envelope{}, fmt.Errorf("%w: message on %s lacks %s or %s", ErrMalformed, subject, HeaderID, HeaderType)
	}
	if e.CorrelationID == "" {
		e.CorrelationID = commandOf(e.ID)
	}
	if e.CausationID == "" {
		e.CausationID = commandOf(e.ID)
	}
	if v := first(h, HeaderSchemaVersion); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Envelope{}, fmt.Errorf("%w: message %s: bad %s %q", ErrMalformed, e.ID, HeaderSchemaVersion, v)
		}
		e.SchemaVersion = n
	} else {
		e.SchemaVersion = 1
	}
	return e, nil
}

// first reads a header without canonicalising the key: ce-* headers are
// stored lower-case, as CloudEvents' NATS binding writes them.
func first(h nats.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
