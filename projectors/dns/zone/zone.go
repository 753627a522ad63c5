package zone

import "context"

// RecordType is a DNS record type the reconciler keeps.
type RecordType string

// The record types a zone holds for networks.
const (
	TypeA    RecordType = "A"
	TypeAAAA RecordType = "AAAA"
	TypeTXT  RecordType = "TXT"
)

// RecordSpec is what a record says.
type RecordSpec struct {
	Type    RecordType
	Name    string // fully qualified, e.g. "home.wardnet.example"
	Content string // IPv4 for A, IPv6 for AAAA, text for TXT
	TTL     int    // seconds, 60..86400, or 1 for automatic
	Proxied bool
	Comment string
}

// Record is a record as the zone holds it: its id and what it says.
type Record struct {
	ID string
	RecordSpec
}

// Zone is the records of one DNS zone. Implementations are safe for
// concurrent use and return errors that keep the package's contract
// (ErrNotFound, RetryAfterError).
type Zone interface {
	// List returns every record named name (exact, case-insensitive) of
	// type typ. An empty name or type does not filter.
	List(ctx context.Context, name string, typ RecordType) ([]Record, error)
	// Create adds a record and returns it with its id.
	Create(ctx context.Context, spec RecordSpec) (Record, error)
	// Update overwrites record id in place with spec; ErrNotFound if it
	// does not exist.
	Update(ctx context.Context, id string, spec RecordSpec) (Record, error)
	// Delete removes record id; ErrNotFound if it does not exist.
	Delete(ctx context.Context, id string) error
}
