package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
)

// CheckAvailability asks whether Slug, as submitted, can be registered
// (GET /v1/availability).
type CheckAvailability struct {
	Slug string
}

// CheckAvailability reports whether the slug is well formed, not reserved
// and not held by any network in any state. It reads the slug's
// reservation, so the answer reflects every registration before it.
func (a *App) CheckAvailability(ctx context.Context, cmd CheckAvailability) (bool, error) {
	slug, err := naming.ParseSlug(cmd.Slug)
	if err != nil {
		return false, nil
	}
	res, err := a.repos.slugs.Load(ctx, slug.String())
	if err != nil {
		return false, err
	}
	return !res.State.Held(), nil
}
