package tenants

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Daemon is an authenticated daemon caller: the tenant and network of its
// token and its key. The gateway parses them from the token's claims, so
// the commands trust them.
type Daemon struct {
	TenantID  ids.TenantID
	NetworkID ids.NetworkID // empty for a tenant-scoped token
	Key       ids.DaemonKey
}

// meta is the metadata of a command the daemon makes.
func (d Daemon) meta() events.Meta {
	return events.Meta{TenantID: d.TenantID.String(), Actor: "daemon:" + d.Key.Fingerprint().String()}
}

// userMeta is the metadata of a command a person makes for their tenant.
func userMeta(tenantID ids.TenantID) events.Meta {
	return events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
}
