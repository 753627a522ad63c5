package account

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// StartSession starts a browser session that expires SessionTTL after Now.
type StartSession struct {
	SessionID ids.SessionID
	// TokenHash is the hex SHA-256 of the session token.
	TokenHash string
	Now       time.Time
}

// Decide returns SessionStarted. A session id or token hash the account
// already holds is a programming error: both come from fresh randomness.
func (c StartSession) Decide(s State) ([]events.Payload, error) {
	if c.SessionID == "" || c.Now.IsZero() {
		return nil, errors.New("start session: session id and time are required")
	}
	if b, err := hex.DecodeString(c.TokenHash); err != nil || len(b) != 32 || hex.EncodeToString(b) != c.TokenHash {
		return nil, errors.New("start session: token hash is not lower-case hex SHA-256")
	}
	if _, ok := s.Sessions[c.SessionID]; ok {
		return nil, fmt.Errorf("start session %s: id already used", c.SessionID)
	}
	for _, sess := range s.Sessions {
		if sess.TokenHash == c.TokenHash {
			return nil, fmt.Errorf("start session %s: token already used", c.SessionID)
		}
	}
	return []events.Payload{SessionStarted{SessionID: c.SessionID, TokenHash: c.TokenHash, ExpiresAt: c.Now.Add(SessionTTL)}}, nil
}
