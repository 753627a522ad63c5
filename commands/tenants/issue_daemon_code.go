package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// IssueDaemonCode asks for an add-daemon code for the tenant
// (POST /v1/tenants/{id}/codes).
type IssueDaemonCode struct {
	TenantID ids.TenantID
}

// IssueDaemonCode issues an enrollment code bound to the tenant and mails
// it to the tenant's own email. A tenant that is gone (404) or
// deregistered (403) gets none. It returns the code when the Mailer echoes
// codes (development), else "".
func (a *App) IssueDaemonCode(ctx context.Context, cmd IssueDaemonCode) (code.Code, error) {
	t, err := a.repos.tenants.Load(ctx, cmd.TenantID.String())
	if err != nil {
		return "", err
	}
	if err := liveTenant(t.State); err != nil {
		return "", err
	}
	email, err := a.openEmail(ctx, t.State.Email)
	if err != nil {
		return "", err
	}
	return a.deliverCode(ctx, email, code.PurposeEnrollment, cmd.TenantID, userMeta(cmd.TenantID))
}
