package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
)

// Deregister asks to close the tenant (DELETE /v1/tenants/{id}; the
// tombstone of contract §2.8).
type Deregister struct {
	TenantID ids.TenantID
}

// Deregister closes the tenant and releases its email in the same append,
// so the email is free for a new sign-up at once; every growth path
// refuses from now on. The lifecycle process manager closes the
// subscription, deprovisions the networks and ends the sessions
// (CloseDeregistered); the sweep removes the tenant once its networks are
// gone. Deregistering again is no error.
func (a *App) Deregister(ctx context.Context, cmd Deregister) error {
	id := cmd.TenantID.String()
	_, err := aggregates.Execute(ctx, a.d.Store, userMeta(cmd.TenantID), func(ctx context.Context, tx *aggregates.Tx) error {
		t, err := aggregates.Get(ctx, tx, a.repos.tenants, id)
		if err != nil {
			return err
		}
		deregistered, err := tenant.Deregister{}.Decide(t)
		if err != nil || len(deregistered) == 0 {
			return err
		}
		email, err := a.openEmail(ctx, t.Email)
		if err != nil {
			return err
		}
		index := string(a.emailIndex(email))
		res, err := aggregates.Get(ctx, tx, a.repos.emails, index)
		if err != nil {
			return err
		}
		released, err := reservation.Release[ids.TenantID]{Owner: cmd.TenantID}.Decide(res)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.tenants, id), deregistered...)
		tx.Emit(ref(a.repos.emails, index), released...)
		return nil
	})
	return asRefusal(err)
}
