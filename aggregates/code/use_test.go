package code_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
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
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "signup", Given: signup, Cmd: use(naming.PurposeSignup, now), Want: ok},
		{Name: "enrollment", Given: enrollment, Cmd: use(naming.PurposeEnrollment, now), Want: ok},
		{Name: "add-daemon code enrolls", Given: addDaemon, Cmd: use(naming.PurposeEnrollment, now), Want: ok},
		{Name: "last instant", Given: signup, Cmd: use(naming.PurposeSignup, expires.Add(-time.Nanosecond)), Want: ok},
		{Name: "unknown", Cmd: use(naming.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "used", Given: append(signup, code.Used{}), Cmd: use(naming.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "expired at expires_at", Given: signup, Cmd: use(naming.PurposeSignup, expires), Err: code.ErrInvalidCode},
		{Name: "expired", Given: signup, Cmd: use(naming.PurposeSignup, now.Add(time.Hour)), Err: code.ErrInvalidCode},
		{Name: "other purpose", Given: signup, Cmd: use(naming.PurposePasswordReset, now), Err: code.ErrInvalidCode},
		{Name: "enrollment code for signup", Given: enrollment, Cmd: use(naming.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "add-daemon code for signup", Given: addDaemon, Cmd: use(naming.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "web purpose bound to a tenant", Given: boundReset, Cmd: use(naming.PurposePasswordReset, now), Err: code.ErrInvalidCode},
	})
}
