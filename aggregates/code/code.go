package code

import (
	"errors"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: events live on wardnet.ev.code.<code hash>.
const Type = "code"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// TTL is how long an issued code may be used.
const TTL = 5 * time.Minute

var (
	// ErrInvalidCode is every reason a code cannot be used: unknown, used,
	// expired, issued for another purpose, or bound to a tenant when a web
	// purpose needs a code that is not.
	ErrInvalidCode = errors.New("code: invalid code")
	// ErrExists is returned by Issue when the hash already has a code (a
	// collision): the caller draws a new code and tries again.
	ErrExists = errors.New("code: already issued")
)

// Register adds every event of the code aggregate to c, at version 1.
func Register(c *events.Catalog) {
	events.Register[Issued](c, 1)
	events.Register[Used](c, 1)
}
