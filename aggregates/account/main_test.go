package account_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	t0     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tenant = naming.ID("0b7f4c1e-3c1a-4d55-9a8e-1f2b3c4d5e6f")
	index  = naming.EmailIndex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
	hash1  = naming.Sealed("v1.sealed-hash-one")
	hash2  = naming.Sealed("v1.sealed-hash-two")
)

// sessionID and tokenHash give session n a stable id and token hash.
func sessionID(n int) naming.ID {
	return naming.ID(fmt.Sprintf("00000000-0000-4000-8000-%012d", n))
}

func tokenHash(n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "token %d", n))
	return hex.EncodeToString(sum[:])
}

func started(n int, at time.Time) account.SessionStarted {
	return account.SessionStarted{SessionID: sessionID(n), TokenHash: tokenHash(n), ExpiresAt: at.Add(account.SessionTTL)}
}

// timed is an event stored at a given log time.
type timed struct {
	at time.Time
	ev events.Payload
}

// foldAt evolves the initial state through events stored at their times.
func foldAt(evs ...timed) account.State {
	s := account.Initial()
	for i, e := range evs {
		s = account.Evolve(s, events.Record{Envelope: events.Envelope{Time: e.at}, Seq: events.StreamSeq(i + 1), Data: e.ev})
	}
	return s
}

// fold evolves the initial state through evs, all stored at t0.
func fold(evs ...events.Payload) account.State {
	ts := make([]timed, len(evs))
	for i, e := range evs {
		ts[i] = timed{t0, e}
	}
	return foldAt(ts...)
}

// errAny stands for an error the caller is not meant to branch on.
var errAny = errors.New("any error")

type decideCase struct {
	name   string
	given  []events.Payload
	decide func(account.State) ([]events.Payload, error)
	want   []events.Payload
	err    error
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.decide(fold(tc.given...))
			switch {
			case tc.err == errAny && err == nil:
				t.Fatalf("got %v, want an error", got)
			case tc.err != nil && tc.err != errAny && !errors.Is(err, tc.err):
				t.Fatalf("err = %v, want %v", err, tc.err)
			case tc.err == nil && err != nil:
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events = %#v, want %#v", got, tc.want)
			}
		})
	}
}
