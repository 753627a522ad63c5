package code_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestUse(t *testing.T) {
	t.Parallel()
	use := func(p naming.Purpose, at time.Time) code.Use { return code.Use{Purpose: p, Now: at} }
	ok := []events.Payload{code.Used{}}
	signup := []events.Payload{issued(naming.PurposeSignup, "")}
	enrollment := []events.Payload{issued(naming.PurposeEnrollment, "")}
	addDaemon := []events.Payload{issued(naming.PurposeEnrollment, tenantID)}
	boundReset := []events.Payload{issued(naming.PurposePasswordReset, tenantID)}
	runDecide(t, []decideCase{
		{name: "signup", given: signup, cmd: use(naming.PurposeSignup, now), want: ok},
		{name: "enrollment", given: enrollment, cmd: use(naming.PurposeEnrollment, now), want: ok},
		{name: "add-daemon code enrolls", given: addDaemon, cmd: use(naming.PurposeEnrollment, now), want: ok},
		{name: "last instant", given: signup, cmd: use(naming.PurposeSignup, expires.Add(-time.Nanosecond)), want: ok},
		{name: "unknown", cmd: use(naming.PurposeSignup, now), err: code.ErrInvalidCode},
		{name: "used", given: append(signup, code.Used{}), cmd: use(naming.PurposeSignup, now), err: code.ErrInvalidCode},
		{name: "expired at expires_at", given: signup, cmd: use(naming.PurposeSignup, expires), err: code.ErrInvalidCode},
		{name: "expired", given: signup, cmd: use(naming.PurposeSignup, now.Add(time.Hour)), err: code.ErrInvalidCode},
		{name: "other purpose", given: signup, cmd: use(naming.PurposePasswordReset, now), err: code.ErrInvalidCode},
		{name: "enrollment code for signup", given: enrollment, cmd: use(naming.PurposeSignup, now), err: code.ErrInvalidCode},
		{name: "add-daemon code for signup", given: addDaemon, cmd: use(naming.PurposeSignup, now), err: code.ErrInvalidCode},
		{name: "web purpose bound to a tenant", given: boundReset, cmd: use(naming.PurposePasswordReset, now), err: code.ErrInvalidCode},
	})
}
