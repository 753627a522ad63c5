package ddns

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/report"
)

// SetChallenge is a daemon's replacement of its network's ACME DNS-01
// challenge values (PUT /v1/acme-challenge): the daemon's TXT values of
// _acme-challenge.<slug>.<zone>.
type SetChallenge struct {
	Daemon Daemon
	// Values are 1 to report.MaxValues values of 1 to report.MaxValueLen
	// printable ASCII bytes, in any order.
	Values []string
}

// SetChallenge replaces the daemon's challenge values with c.Values (400
// for values out of bounds), on a live network (409 once it is being
// deprovisioned) the daemon may report for (authorizeDaemon). The values
// the daemon has already, in any order, append nothing.
func (a *App) SetChallenge(ctx context.Context, c SetChallenge) error {
	if err := checkValues(c.Values); err != nil {
		return err
	}
	notLive := refuse(Conflict, msgNotLive, nil)
	return a.decideForDaemon(ctx, c.Daemon, notLive, report.SetChallenge{Values: c.Values}.Decide)
}

// checkValues applies the contract's limits (which the aggregate checks
// too) with the answer's reason, and keeps out what a TXT record's
// content cannot carry as is. ACME key authorisation digests are
// base64url: 43 bytes of letters, digits, '-' and '_'.
func checkValues(values []string) error {
	if n := len(values); n == 0 || n > report.MaxValues {
		return refuse(BadRequest, msgNoValues, nil)
	}
	for _, v := range values {
		if v == "" || len(v) > report.MaxValueLen {
			return refuse(BadRequest, msgValueLength, nil)
		}
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				return refuse(BadRequest, msgValueCharacters, nil)
			}
		}
	}
	return nil
}
