package account_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestSessionValidity(t *testing.T) {
	day := 24 * time.Hour
	revoked := account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}
	cases := []struct {
		name  string
		given []events.Payload
		token int
		now   time.Time
		live  bool
	}{
		{"started", []events.Payload{started(1, t0)}, 1, t0, true},
		{"other token", []events.Payload{started(1, t0)}, 2, t0, false},
		{"last moment", []events.Payload{started(1, t0)}, 1, t0.Add(account.SessionTTL - time.Nanosecond), true},
		{"expired", []events.Payload{started(1, t0)}, 1, t0.Add(account.SessionTTL), false},
		{"slid", []events.Payload{started(1, t0), account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(5*day + account.SessionTTL)}}, 1, t0.Add(account.SessionTTL + day), true},
		{"ended", []events.Payload{started(1, t0), started(2, t0), account.SessionEnded{SessionID: sessionID(1)}}, 1, t0, false},
		{"other ended", []events.Payload{started(1, t0), started(2, t0), account.SessionEnded{SessionID: sessionID(2)}}, 1, t0, true},
		{"revoked", []events.Payload{started(1, t0), started(2, t0), revoked}, 1, t0, false},
		{"started after revocation", []events.Payload{started(1, t0), revoked, started(2, t0)}, 2, t0, true},
		{"refresh after revocation revives nothing", []events.Payload{started(1, t0), revoked,
			account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(account.SessionTTL)}}, 1, t0, false},
		{"never", nil, 1, t0, false},
	}
	for _, tc := range cases {
		sess, ok := fold(tc.given...).Session(tokenHash(tc.token), tc.now)
		if ok != tc.live {
			t.Errorf("%s: live %v, want %v", tc.name, ok, tc.live)
		}
		if ok && (sess.ID != sessionID(tc.token) || sess.TokenHash != tokenHash(tc.token)) {
			t.Errorf("%s: session %+v", tc.name, sess)
		}
	}
	if _, ok := account.Initial().Session("", t0); ok {
		t.Error("empty token hash found a session")
	}
}

func TestSessionsBounded(t *testing.T) {
	var evs []events.Payload
	for n := range account.MaxSessions + 5 {
		evs = append(evs, started(n, t0))
	}
	s := fold(evs...)
	if len(s.Sessions) != account.MaxSessions {
		t.Fatalf("%d sessions kept, want %d", len(s.Sessions), account.MaxSessions)
	}
	for n := range account.MaxSessions + 5 {
		_, ok := s.Session(tokenHash(n), t0)
		if want := n >= 5; ok != want {
			t.Errorf("session %d live %v, want %v (the oldest fall out)", n, ok, want)
		}
	}
}

func TestExpiredSessionsPruned(t *testing.T) {
	later := t0.Add(account.SessionTTL + 30*time.Minute)
	s := foldAt(aggregatetest.At(t0, started(1, t0)), aggregatetest.At(t0.Add(time.Hour), started(2, t0.Add(time.Hour))), aggregatetest.At(later, started(3, later)))
	if len(s.Sessions) != 2 {
		t.Fatalf("sessions %v: the one expired at the log's time should be gone", s.Sessions)
	}
	if _, ok := s.Sessions[sessionID(1)]; ok {
		t.Fatal("expired session 1 kept")
	}
}

func TestPassword(t *testing.T) {
	s := account.Initial()
	if s.HasPassword() || s.PasswordHash() != "" {
		t.Fatal("initial state has a password")
	}
	s = fold(account.PasswordSet{EmailIndex: index, Hash: hash1}, started(1, t0), account.PasswordSet{EmailIndex: index, Hash: hash2})
	if !s.HasPassword() || s.PasswordHash() != hash2 || s.EmailIndex != index {
		t.Fatalf("state %+v", s)
	}
	if _, ok := s.Session(tokenHash(1), t0); !ok {
		t.Fatal("setting a password alone must not end sessions (RevokeAll does)")
	}
}

func TestEvolveIgnoresUnknown(t *testing.T) {
	s := fold(started(1, t0), events.Unknown{Type: "wardnet.account.renamed", Version: 1, Raw: json.RawMessage(`{}`)})
	if _, ok := s.Session(tokenHash(1), t0); !ok || len(s.Sessions) != 1 {
		t.Fatalf("state %+v", s)
	}
	if s := account.Evolve(account.State{}, events.Record{Data: started(1, t0)}); len(s.Sessions) != 1 {
		t.Fatal("Evolve on a zero State lost the session")
	}
	a, b := account.Initial(), account.Initial()
	a.Sessions[sessionID(1)] = account.Session{}
	if len(b.Sessions) != 0 {
		t.Fatal("Initial shares its map")
	}
}

func TestStateJSON(t *testing.T) {
	s := foldAt(
		aggregatetest.At(t0, account.PasswordSet{EmailIndex: index, Hash: hash1}),
		aggregatetest.At(t0, started(1, t0)),
		aggregatetest.At(t0.Add(time.Minute), started(2, t0.Add(time.Minute))),
		aggregatetest.At(t0.Add(48*time.Hour), account.SessionRefreshed{SessionID: sessionID(2), ExpiresAt: t0.Add(48*time.Hour + account.SessionTTL)}),
	)
	aggregatetest.JSONRoundTrip(t, s)
	if sess := s.Sessions[sessionID(2)]; !sess.Started.Equal(t0.Add(time.Minute)) || sess.Seq != 3 {
		t.Fatalf("session 2 %+v", sess)
	}
}
