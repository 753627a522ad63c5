package account

import (
	"errors"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	// SessionTTL is how long a session lives after it starts or slides.
	SessionTTL = 30 * 24 * time.Hour
	// RefreshInterval is the least time between two slides of a session.
	RefreshInterval = 24 * time.Hour
	// MaxSessions is how many live sessions an account keeps; starting
	// another drops the oldest.
	MaxSessions = 100
)

// Errors the commands return; callers branch on them with errors.Is.
var (
	// ErrPasswordExists: a sign-up on an account that has a password.
	ErrPasswordExists = errors.New("account: password already set")
	// ErrNoSession: Refresh of a session that is not live.
	ErrNoSession = errors.New("account: no such live session")
)

// Session is one live browser session.
type Session struct {
	ID        ids.SessionID `json:"id"`
	TokenHash string        `json:"token_hash"`
	// Started is the log's time of the session_started event.
	Started   time.Time `json:"started"`
	ExpiresAt time.Time `json:"expires_at"`
	// Seq is the stream sequence of session_started: it orders sessions
	// by age, also those started in one append.
	Seq events.StreamSeq `json:"seq"`
}

// LiveAt reports whether the session is unexpired at now.
func (s Session) LiveAt(now time.Time) bool { return now.Before(s.ExpiresAt) }

// State is an account as its events leave it. Its JSON is what snapshots
// store: bump StateVersion when it changes meaning.
type State struct {
	EmailIndex personal.EmailIndex `json:"email_index,omitempty"`
	// Hash is the sealed password hash; empty when the account has no
	// password.
	Hash personal.Sealed `json:"hash,omitempty"`
	// Sessions are the sessions started and neither ended nor revoked
	// since, by id. Expired ones stay until a later event prunes them: ask
	// Session or LiveAt, never the map alone.
	Sessions map[ids.SessionID]Session `json:"sessions"`
}

// Initial is the state of an account without events.
func Initial() State { return State{Sessions: map[ids.SessionID]Session{}} }

// Evolve applies one stored event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	if s.Sessions == nil {
		s.Sessions = map[ids.SessionID]Session{}
	}
	switch e := rec.Data.(type) {
	case PasswordSet:
		s.EmailIndex, s.Hash = e.EmailIndex, e.Hash
	case SessionStarted:
		s.Sessions[e.SessionID] = Session{ID: e.SessionID, TokenHash: e.TokenHash, Started: rec.Time, ExpiresAt: e.ExpiresAt, Seq: rec.Seq}
	case SessionRefreshed:
		if sess, ok := s.Sessions[e.SessionID]; ok {
			sess.ExpiresAt = e.ExpiresAt
			s.Sessions[e.SessionID] = sess
		}
	case SessionEnded:
		delete(s.Sessions, e.SessionID)
	case SessionsRevoked:
		clear(s.Sessions)
	default:
		return s
	}
	s.prune(rec.Time)
	return s
}

// prune forgets the sessions expired at the log's time now, then the oldest
// beyond MaxSessions.
func (s State) prune(now time.Time) {
	for id, sess := range s.Sessions {
		if !sess.LiveAt(now) {
			delete(s.Sessions, id)
		}
	}
	for len(s.Sessions) > MaxSessions {
		var oldest Session
		for _, sess := range s.Sessions {
			if oldest.ID == "" || sess.Seq < oldest.Seq || (sess.Seq == oldest.Seq && sess.ID < oldest.ID) {
				oldest = sess
			}
		}
		delete(s.Sessions, oldest.ID)
	}
}

// Session returns the live session whose token hashes to tokenHash, at now.
func (s State) Session(tokenHash string, now time.Time) (Session, bool) {
	if tokenHash == "" {
		return Session{}, false
	}
	for _, sess := range s.Sessions {
		if sess.TokenHash == tokenHash && sess.LiveAt(now) {
			return sess, true
		}
	}
	return Session{}, false
}

// PasswordHash is the sealed password hash; empty when there is none.
func (s State) PasswordHash() personal.Sealed { return s.Hash }

// HasPassword reports whether the account has a password.
func (s State) HasPassword() bool { return s.Hash != "" }
