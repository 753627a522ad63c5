package tunneller

import "github.com/wardnet/wardnet-cloud/internal/refusal"

// Kind and Error are the refusals of package refusal: a refused command
// returns an *Error whose Kind says what the caller can do about it.
type (
	Kind  = refusal.Kind
	Error = refusal.Error
)

// The kinds of refusal these commands use.
const (
	BadRequest  = refusal.BadRequest  // the command itself is wrong
	NotFound    = refusal.NotFound    // no such network
	Forbidden   = refusal.Forbidden   // a network of another region
	Conflict    = refusal.Conflict    // the network is not live
	Unavailable = refusal.Unavailable // the pool has no free port
)

func refuse(kind Kind, msg string, cause error) *Error { return refusal.New(kind, msg, cause) }

// KindOf returns the kind of err, or 0 when err is not a refusal (an
// internal failure).
func KindOf(err error) Kind { return refusal.KindOf(err) }

// The messages of refusals.
const (
	msgNetworkNotFound = "network not found"
	msgOtherRegion     = "network is not served by this region"
	msgNotLive         = "network is not live: it is being deprovisioned"
	msgExhausted       = "no UDP port is free in the region's pool"
	msgBadReason       = "reason must be deprovisioned or operator"
	msgNoNetwork       = "no network"
)
