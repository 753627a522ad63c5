package code_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestIssue(t *testing.T) {
	t.Parallel()
	issue := func(p code.Purpose, tenant ids.TenantID) code.Issue {
		return code.Issue{Purpose: p, Email: sealed, EmailIndex: index, TenantID: tenant, Now: now}
	}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "signup", Cmd: issue(code.PurposeSignup, ""), Want: []events.Payload{issued(code.PurposeSignup, "")}},
		{Name: "enrollment", Cmd: issue(code.PurposeEnrollment, ""), Want: []events.Payload{issued(code.PurposeEnrollment, "")}},
		{Name: "add-daemon", Cmd: issue(code.PurposeEnrollment, tenantID), Want: []events.Payload{issued(code.PurposeEnrollment, tenantID)}},
		{Name: "hash collision", Given: []events.Payload{issued(code.PurposeSignup, "")}, Cmd: issue(code.PurposeSignup, ""), Err: code.ErrExists},
		{Name: "collision with a used code", Given: []events.Payload{issued(code.PurposeSignup, ""), code.Used{}}, Cmd: issue(code.PurposeEnrollment, ""), Err: code.ErrExists},
	})
}
