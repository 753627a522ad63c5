package events

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Payload is the data of one kind of event. Payloads are plain value types
// (structs) that encode to JSON; EventType must work on the zero value.
type Payload interface {
	// EventType is the catalogue name, e.g. "wardnet.network.registered".
	EventType() string
}

// Upcaster turns the JSON payload of one schema version into the next.
// Upcasters are pure and never see the envelope.
type Upcaster func(old json.RawMessage) (json.RawMessage, error)

// Unknown is the payload of an event whose type the catalogue does not know.
// Tools such as wardctl read the whole log with an empty catalogue and see
// every event this way; services skip what they do not understand.
type Unknown struct {
	Type    string
	Version int
	Raw     json.RawMessage
}

// EventType returns the stored ce-type.
func (u Unknown) EventType() string { return u.Type }

// MarshalJSON writes the raw payload unchanged.
func (u Unknown) MarshalJSON() ([]byte, error) { return u.Raw, nil }

// Catalog maps event type names to Go types, their current schema version and
// the upcasters that bring older versions up to it. It is safe for
// concurrent use; register everything before the first append or read.
type Catalog struct {
	mu     sync.RWMutex
	byName map[string]*kind
}

type kind struct {
	header    []string // the ce-type header value, shared by every message of this type
	version   int
	upcasters []Upcaster // upcasters[i] turns version i+1 into version i+2
	decode    func([]byte) (Payload, error)
}

// NewCatalog returns an empty catalogue.
func NewCatalog() *Catalog {
	return &Catalog{byName: make(map[string]*kind)}
}

// Register adds payload type T at schema version `version`. There must be
// exactly version-1 upcasters: the first turns v1 into v2, and so on.
// Registering a name twice or with the wrong number of upcasters is a
// programming error and panics.
func Register[T Payload](c *Catalog, version int, upcasters ...Upcaster) {
	var zero T
	name := zero.EventType()
	if name == "" {
		panic("events: Register: payload has an empty EventType")
	}
	if version < 1 || len(upcasters) != version-1 {
		panic(fmt.Sprintf("events: Register %s: version %d needs %d upcasters, got %d", name, version, version-1, len(upcasters)))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.byName[name]; dup {
		panic(fmt.Sprintf("events: Register: %s registered twice", name))
	}
	c.byName[name] = &kind{
		header:    []string{name},
		version:   version,
		upcasters: upcasters,
		decode: func(b []byte) (Payload, error) {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, err
			}
			return v, nil
		},
	}
}

// Types lists the registered type names in order.
func (c *Catalog) Types() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Version is the current schema version of a registered type.
func (c *Catalog) Version(name string) (int, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.byName[name]
	if !ok {
		return 0, false
	}
	return k.version, true
}

// Encode returns the payload's type name, its current schema version and its
// JSON encoding. Only registered types can be appended.
func (c *Catalog) Encode(p Payload) (name string, version int, data []byte, err error) {
	k, data, err := c.encode(p)
	if err != nil {
		return "", 0, nil, err
	}
	return k.header[0], k.version, data, nil
}

func (c *Catalog) encode(p Payload) (*kind, []byte, error) {
	name := p.EventType()
	c.mu.RLock()
	k, ok := c.byName[name]
	c.mu.RUnlock()
	if !ok {
		return nil, nil, fmt.Errorf("events: encode %s: %w", name, ErrUnknownType)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, nil, fmt.Errorf("events: encode %s: %w", name, err)
	}
	return k, data, nil
}

// Decode turns a stored payload of the given type and schema version into
// the registered Go type, running the upcasters from that version to the
// current one. An unregistered type decodes to Unknown; a version newer than
// the catalogue's is an error (the reader is older than the writer).
func (c *Catalog) Decode(name string, version int, data []byte) (Payload, error) {
	c.mu.RLock()
	k, ok := c.byName[name]
	c.mu.RUnlock()
	if !ok {
		return Unknown{Type: name, Version: version, Raw: json.RawMessage(data)}, nil
	}
	if version > k.version {
		return nil, fmt.Errorf("events: decode %s v%d: %w (this build knows v%d)", name, version, ErrFutureVersion, k.version)
	}
	raw := json.RawMessage(data)
	for v := version; v < k.version; v++ {
		up, err := k.upcasters[v-1](raw)
		if err != nil {
			return nil, fmt.Errorf("events: upcast %s v%d to v%d: %w", name, v, v+1, err)
		}
		raw = up
	}
	p, err := k.decode(raw)
	if err != nil {
		return nil, fmt.Errorf("events: decode %s v%d: %w", name, k.version, err)
	}
	return p, nil
}
