package tenants

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Enroll uses an enrollment code to bind a daemon's public key to the
// code's tenant (POST /v1/enroll). Code and PublicKey are as submitted.
type Enroll struct {
	Code      string
	PublicKey string
	// Client is the address whose wrong codes the code guard counts.
	Client netip.Addr
}

// Enroll consumes an enrollment code and binds the daemon key to the
// code's tenant, pending for 15 minutes: the tenant of an add-daemon code,
// or the live tenant of the code's email, created for a new email with its
// email reserved in the same append. The attempt is guarded against
// guessing (codeGuard). It returns the tenant.
func (a *App) Enroll(ctx context.Context, cmd Enroll) (ids.TenantID, error) {
	key, err := ids.ParseDaemonKey(cmd.PublicKey)
	if err != nil {
		return "", refuse(BadRequest, msgInvalidKey, err)
	}
	c, err := wellFormedCode(cmd.Code)
	if err != nil {
		return "", err
	}
	attempt, err := a.codes.admit(ctx, code.PurposeEnrollment, cmd.Client)
	if err != nil {
		return "", err
	}
	tenantID, err := a.enroll(ctx, c, key)
	attempt.done(ctx, err)
	return tenantID, err
}

func (a *App) enroll(ctx context.Context, c code.Code, key ids.DaemonKey) (ids.TenantID, error) {
	hash, fp := c.Hash(), key.Fingerprint().String()
	newTenant := ids.New[ids.TenantID]()
	now := a.d.Now()
	var tenantID ids.TenantID
	_, err := aggregates.Execute(ctx, a.d.Store, events.Meta{Actor: "daemon:" + fp}, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, a.repos.codes, hash)
		if err != nil {
			return err
		}
		used, err := code.Use{Purpose: code.PurposeEnrollment, Now: now}.Decide(c)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.codes, hash), used...)
		if c.TenantBound() {
			t, err := aggregates.Get(ctx, tx, a.repos.tenants, c.TenantID.String())
			if err != nil {
				return err
			}
			if !t.Live() {
				return fmt.Errorf("enroll for tenant %s: %w", c.TenantID, code.ErrInvalidCode)
			}
			tenantID = c.TenantID
		} else if tenantID, err = a.tenantForEmail(ctx, tx, c.Email, c.EmailIndex, newTenant); err != nil {
			return err
		}
		d, err := aggregates.Get(ctx, tx, a.repos.daemons, fp)
		if err != nil {
			return err
		}
		enrolled, err := daemon.Enroll{TenantID: tenantID, Key: key, Now: now}.Decide(d)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.daemons, fp), enrolled...)
		return nil
	})
	if err != nil {
		return "", asRefusal(err)
	}
	return tenantID, nil
}
