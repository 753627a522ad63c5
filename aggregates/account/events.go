package account

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: an account's events are on
// wardnet.ev.account.<tenant id>.
const Type = "account"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// PasswordSet: the account's password was set or replaced.
type PasswordSet struct {
	EmailIndex personal.EmailIndex `json:"email_index"`
	// Hash is the argon2id PHC string, sealed with the tenant's key.
	Hash personal.Sealed `json:"hash"`
}

// EventType implements events.Payload.
func (PasswordSet) EventType() string { return "wardnet.account.password_set" }

// SessionStarted: a browser session began.
type SessionStarted struct {
	SessionID ids.SessionID `json:"session_id"`
	// TokenHash is the hex SHA-256 of the session token.
	TokenHash string    `json:"token_hash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EventType implements events.Payload.
func (SessionStarted) EventType() string { return "wardnet.account.session_started" }

// SessionRefreshed: a session's expiry slid forward.
type SessionRefreshed struct {
	SessionID ids.SessionID `json:"session_id"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// EventType implements events.Payload.
func (SessionRefreshed) EventType() string { return "wardnet.account.session_refreshed" }

// SessionEnded: the user logged out of one session.
type SessionEnded struct {
	SessionID ids.SessionID `json:"session_id"`
}

// EventType implements events.Payload.
func (SessionEnded) EventType() string { return "wardnet.account.session_ended" }

// SessionsRevoked: every session started before it ended.
type SessionsRevoked struct {
	Reason RevokeReason `json:"reason"`
}

// EventType implements events.Payload.
func (SessionsRevoked) EventType() string { return "wardnet.account.sessions_revoked" }

// Register adds every event of the package to c, at schema version 1.
func Register(c *events.Catalog) {
	events.Register[PasswordSet](c, 1)
	events.Register[SessionStarted](c, 1)
	events.Register[SessionRefreshed](c, 1)
	events.Register[SessionEnded](c, 1)
	events.Register[SessionsRevoked](c, 1)
}
