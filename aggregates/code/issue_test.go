package code_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestIssue(t *testing.T) {
	t.Parallel()
	issue := func(p naming.Purpose, tenant naming.ID) code.Issue {
		return code.Issue{Purpose: p, Email: sealed, EmailIndex: index, TenantID: tenant, Now: now}
	}
	runDecide(t, []decideCase{
		{name: "signup", cmd: issue(naming.PurposeSignup, ""), want: []events.Payload{issued(naming.PurposeSignup, "")}},
		{name: "enrollment", cmd: issue(naming.PurposeEnrollment, ""), want: []events.Payload{issued(naming.PurposeEnrollment, "")}},
		{name: "add-daemon", cmd: issue(naming.PurposeEnrollment, tenantID), want: []events.Payload{issued(naming.PurposeEnrollment, tenantID)}},
		{name: "hash collision", given: []events.Payload{issued(naming.PurposeSignup, "")}, cmd: issue(naming.PurposeSignup, ""), err: code.ErrExists},
		{name: "collision with a used code", given: []events.Payload{issued(naming.PurposeSignup, ""), code.Used{}}, cmd: issue(naming.PurposeEnrollment, ""), err: code.ErrExists},
	})
}
