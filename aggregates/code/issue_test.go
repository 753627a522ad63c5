package code_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestIssue(t *testing.T) {
	t.Parallel()
	issue := func(p naming.Purpose, tenant naming.ID) code.Issue {
		return code.Issue{Purpose: p, Email: sealed, EmailIndex: index, TenantID: tenant, Now: now}
	}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "signup", Cmd: issue(naming.PurposeSignup, ""), Want: []events.Payload{issued(naming.PurposeSignup, "")}},
		{Name: "enrollment", Cmd: issue(naming.PurposeEnrollment, ""), Want: []events.Payload{issued(naming.PurposeEnrollment, "")}},
		{Name: "add-daemon", Cmd: issue(naming.PurposeEnrollment, tenantID), Want: []events.Payload{issued(naming.PurposeEnrollment, tenantID)}},
		{Name: "hash collision", Given: []events.Payload{issued(naming.PurposeSignup, "")}, Cmd: issue(naming.PurposeSignup, ""), Err: code.ErrExists},
		{Name: "collision with a used code", Given: []events.Payload{issued(naming.PurposeSignup, ""), code.Used{}}, Cmd: issue(naming.PurposeEnrollment, ""), Err: code.ErrExists},
	})
}
