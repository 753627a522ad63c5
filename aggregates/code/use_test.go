package code_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestUse(t *testing.T) {
	t.Parallel()
	use := func(p code.Purpose, at time.Time) code.Use { return code.Use{Purpose: p, Now: at} }
	ok := []events.Payload{code.Used{}}
	signup := []events.Payload{issued(code.PurposeSignup, "")}
	enrollment := []events.Payload{issued(code.PurposeEnrollment, "")}
	addDaemon := []events.Payload{issued(code.PurposeEnrollment, tenantID)}
	boundReset := []events.Payload{issued(code.PurposePasswordReset, tenantID)}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "signup", Given: signup, Cmd: use(code.PurposeSignup, now), Want: ok},
		{Name: "enrollment", Given: enrollment, Cmd: use(code.PurposeEnrollment, now), Want: ok},
		{Name: "add-daemon code enrolls", Given: addDaemon, Cmd: use(code.PurposeEnrollment, now), Want: ok},
		{Name: "last instant", Given: signup, Cmd: use(code.PurposeSignup, expires.Add(-time.Nanosecond)), Want: ok},
		{Name: "unknown", Cmd: use(code.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "used", Given: append(signup, code.Used{}), Cmd: use(code.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "expired at expires_at", Given: signup, Cmd: use(code.PurposeSignup, expires), Err: code.ErrInvalidCode},
		{Name: "expired", Given: signup, Cmd: use(code.PurposeSignup, now.Add(time.Hour)), Err: code.ErrInvalidCode},
		{Name: "other purpose", Given: signup, Cmd: use(code.PurposePasswordReset, now), Err: code.ErrInvalidCode},
		{Name: "enrollment code for signup", Given: enrollment, Cmd: use(code.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "add-daemon code for signup", Given: addDaemon, Cmd: use(code.PurposeSignup, now), Err: code.ErrInvalidCode},
		{Name: "web purpose bound to a tenant", Given: boundReset, Cmd: use(code.PurposePasswordReset, now), Err: code.ErrInvalidCode},
	})
}
