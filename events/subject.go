package events

import (
	"fmt"
	"strconv"
	"strings"
)

// SubjectPrefix is the subject space of the EVENTS stream.
const SubjectPrefix = "wardnet.ev."

// StreamSeq is a sequence number in the EVENTS stream. An aggregate's
// version is the StreamSeq of its last event; 0 means it has no events.
type StreamSeq uint64

func (s StreamSeq) String() string { return strconv.FormatUint(uint64(s), 10) }

// Ref names one aggregate instance: its type ("tenant", "slug") and its id.
// Construct it with NewRef or ParseSubject, which validate both parts.
type Ref struct {
	subject string // SubjectPrefix + type + "." + id
	dot     int    // index of the '.' between type and id in subject
}

const maxRefPart = 128

// NewRef returns the reference to aggregate id of type typ. The type is
// lower-case letters, digits and '_' starting with a letter; the id is
// letters, digits, '-', '_' and '=' (so base64url and UUIDs fit). Neither may
// contain the NATS token separators or wildcards.
func NewRef(typ, id string) (Ref, error) {
	if err := checkType(typ); err != nil {
		return Ref{}, err
	}
	if err := checkID(id); err != nil {
		return Ref{}, err
	}
	return Ref{subject: SubjectPrefix + typ + "." + id, dot: len(SubjectPrefix) + len(typ)}, nil
}

// MustRef is NewRef for references built from constants and already
// validated values; it panics on an invalid reference.
func MustRef(typ, id string) Ref {
	r, err := NewRef(typ, id)
	if err != nil {
		panic(err)
	}
	return r
}

// Type is the aggregate type, e.g. "tenant".
func (r Ref) Type() string {
	if r.subject == "" {
		return ""
	}
	return r.subject[len(SubjectPrefix):r.dot]
}

// ID is the aggregate id within its type.
func (r Ref) ID() string {
	if r.subject == "" {
		return ""
	}
	return r.subject[r.dot+1:]
}

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.subject == "" }

// Subject is the literal NATS subject that holds this aggregate's events.
func (r Ref) Subject() string { return r.subject }

// String is "<type>.<id>".
func (r Ref) String() string {
	if r.subject == "" {
		return ""
	}
	return r.subject[len(SubjectPrefix):]
}

// ParseSubject turns a NATS subject of the EVENTS stream back into a Ref.
func ParseSubject(subject string) (Ref, error) {
	rest, ok := strings.CutPrefix(subject, SubjectPrefix)
	if !ok {
		return Ref{}, fmt.Errorf("events: subject %q is not under %s", subject, SubjectPrefix)
	}
	typ, id, ok := strings.Cut(rest, ".")
	if !ok {
		return Ref{}, fmt.Errorf("events: subject %q has no aggregate id", subject)
	}
	return NewRef(typ, id)
}

// TypeFilter is the subject filter that matches every instance of an
// aggregate type, e.g. "wardnet.ev.tenant.*".
func TypeFilter(typ string) (string, error) {
	if err := checkType(typ); err != nil {
		return "", err
	}
	return SubjectPrefix + typ + ".*", nil
}

func checkType(typ string) error {
	if typ == "" || len(typ) > maxRefPart {
		return fmt.Errorf("events: aggregate type %q must be 1 to %d characters", typ, maxRefPart)
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_'):
		default:
			return fmt.Errorf("events: aggregate type %q: only a-z, 0-9 and '_', starting with a letter", typ)
		}
	}
	return nil
}

func checkID(id string) error {
	if id == "" || len(id) > maxRefPart {
		return fmt.Errorf("events: aggregate id %q must be 1 to %d characters", id, maxRefPart)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '=':
		default:
			return fmt.Errorf("events: aggregate id %q: only letters, digits, '-', '_' and '='", id)
		}
	}
	return nil
}
