package account_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	t0     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tenant = ids.TenantID("0b7f4c1e-3c1a-4d55-9a8e-1f2b3c4d5e6f")
	index  = personal.EmailIndex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
	hash1  = personal.Sealed("v1.sealed-hash-one")
	hash2  = personal.Sealed("v1.sealed-hash-two")
)

// sessionID and tokenHash give session n a stable id and token hash.
func sessionID(n int) ids.SessionID {
	return ids.SessionID(fmt.Sprintf("00000000-0000-4000-8000-%012d", n))
}

func tokenHash(n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "token %d", n))
	return hex.EncodeToString(sum[:])
}

func started(n int, at time.Time) account.SessionStarted {
	return account.SessionStarted{SessionID: sessionID(n), TokenHash: tokenHash(n), ExpiresAt: at.Add(account.SessionTTL)}
}

type decideCase = aggregatetest.DecideCase[account.State]

// foldAt evolves the initial state through events stored at their times.
func foldAt(evs ...aggregatetest.Timed) account.State {
	return aggregatetest.FoldAt(account.Initial(), account.Evolve, evs...)
}

// fold evolves the initial state through evs, all stored at t0.
func fold(evs ...events.Payload) account.State {
	return foldAt(aggregatetest.Every(t0, 0, evs...)...)
}
