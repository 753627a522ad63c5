package code_test

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	tenantID ids.TenantID        = "6f1c2a34-0d5e-4b7a-9c1d-2e3f4a5b6c7d"
	sealed   personal.Sealed     = "v1:day:sealed-email"
	index    personal.EmailIndex = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
)

var (
	now     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expires = now.Add(code.TTL)
)

// issued is a code issued at now for purpose, bound to tenant when not empty.
func issued(purpose code.Purpose, tenant ids.TenantID) code.Issued {
	return code.Issued{Purpose: purpose, Email: sealed, EmailIndex: index, TenantID: tenant, ExpiresAt: expires}
}

type decideCase = aggregatetest.DecideCase[code.State]

// given folds a history into a state, as a load does.
func given(history ...events.Payload) code.State {
	return aggregatetest.Fold(code.Initial(), code.Evolve, history...)
}
