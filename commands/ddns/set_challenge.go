package ddns

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/dns"
)

// SetChallenge replaces the caller's network's ACME DNS-01 challenge
// values (PUT /v1/acme-challenge): the TXT values of
// _acme-challenge.<slug>.<zone>. It takes 1 to dns.MaxValues values of 1
// to dns.MaxValueLen printable ASCII bytes (400 otherwise), on a live
// network (409 once it is being deprovisioned). The values the network
// already has, in any order, append nothing.
func (s *Service) SetChallenge(ctx context.Context, caller Daemon, values []string) error {
	if err := checkValues(values); err != nil {
		return err
	}
	notLive := refuse(Conflict, msgNotLive, nil)
	return s.report(ctx, caller, notLive, dns.SetChallenge{Values: values}.Decide)
}

// checkValues applies the contract's limits (which the aggregate checks
// too) with the answer's reason, and keeps out what a TXT record's
// content cannot carry as is. ACME key authorisation digests are
// base64url: 43 bytes of letters, digits, '-' and '_'.
func checkValues(values []string) error {
	if n := len(values); n == 0 || n > dns.MaxValues {
		return refuse(BadRequest, msgNoValues, nil)
	}
	for _, v := range values {
		if v == "" || len(v) > dns.MaxValueLen {
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
