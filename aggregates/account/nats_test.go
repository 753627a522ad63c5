package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func newRepo(t *testing.T) *aggregates.Repository[account.State] {
	t.Helper()
	return aggregatetest.Repository(t, aggregatetest.Store(t, account.Register), aggregates.Kind[account.State]{
		Type: account.Type, Initial: account.Initial, Evolve: account.Evolve, StateVersion: account.StateVersion,
	})
}

func startSession(t *testing.T, repo *aggregates.Repository[account.State], n int, now time.Time) {
	t.Helper()
	_, err := repo.Execute(context.Background(), string(tenant), events.Meta{},
		account.StartSession{SessionID: sessionID(n), TokenHash: tokenHash(n), Now: now}.Decide)
	if err != nil {
		t.Fatal(err)
	}
}

// exchange is the decision of POST /v1/auth/token: find the live session
// of the cookie's token and slide it.
func exchange(token int, now time.Time) func(account.State) ([]events.Payload, error) {
	return func(s account.State) ([]events.Payload, error) {
		sess, ok := s.Session(tokenHash(token), now)
		if !ok {
			return nil, account.ErrNoSession
		}
		return account.Refresh{SessionID: sess.ID, Now: now}.Decide(s)
	}
}

func TestRevokeAllEndsSessions(t *testing.T) {
	repo := newRepo(t)
	ctx := context.Background()
	now := time.Now().UTC() // the log's own clock prunes expired sessions
	startSession(t, repo, 1, now)
	startSession(t, repo, 2, now)

	// A password change in one append: revoke everything, then sign the
	// caller in again.
	_, err := repo.Execute(ctx, string(tenant), events.Meta{}, func(s account.State) ([]events.Payload, error) {
		revoked, err := account.RevokeAll{Reason: account.ReasonPasswordChange}.Decide(s)
		if err != nil {
			return nil, err
		}
		fresh, err := account.StartSession{SessionID: sessionID(3), TokenHash: tokenHash(3), Now: now}.Decide(s)
		if err != nil {
			return nil, err
		}
		return append(revoked, fresh...), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.Load(ctx, string(tenant))
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]bool{1: false, 2: false, 3: true} {
		if _, ok := got.State.Session(tokenHash(n), now); ok != want {
			t.Errorf("session %d live %v, want %v", n, ok, want)
		}
	}
	if _, err := repo.Execute(ctx, string(tenant), events.Meta{}, exchange(1, now.Add(48*time.Hour))); !errors.Is(err, account.ErrNoSession) {
		t.Fatalf("exchange of a revoked session: %v", err)
	}
}

// A cookie exchange races sign-out-everywhere. Whichever is stored first,
// the session is revoked afterwards: a slide never outlives a revocation.
func TestRefreshRacesRevokeAll(t *testing.T) {
	repo := newRepo(t)
	ctx := context.Background()
	now := time.Now().UTC()
	startSession(t, repo, 1, now)

	outs := aggregatetest.Race(ctx,
		aggregatetest.Execute(repo, string(tenant), exchange(1, now.Add(48*time.Hour))),
		aggregatetest.Execute(repo, string(tenant), account.RevokeAll{Reason: account.ReasonSignOutEverywhere}.Decide))
	refresh, revoke := outs[0], outs[1]
	if refresh.Attempts+revoke.Attempts != 3 {
		t.Fatalf("attempts %d and %d: want one decided once and the other twice", refresh.Attempts, revoke.Attempts)
	}
	if revoke.Err != nil {
		t.Fatalf("revoke: %v", revoke.Err)
	}
	refreshLost := refresh.Attempts == 2
	if refreshLost != errors.Is(refresh.Err, account.ErrNoSession) || (!refreshLost && refresh.Err != nil) {
		t.Fatalf("refresh decided %d times: %v", refresh.Attempts, refresh.Err)
	}
	got, err := repo.Load(ctx, string(tenant))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.State.Session(tokenHash(1), now.Add(48*time.Hour)); ok {
		t.Fatal("a revoked session is still returned")
	}
	if len(got.State.Sessions) != 0 {
		t.Fatalf("sessions left: %v", got.State.Sessions)
	}
}
