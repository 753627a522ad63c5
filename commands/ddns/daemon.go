package ddns

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

// Daemon is an authenticated daemon caller: the tenant and network of its
// network-scoped token and the key whose proof of possession was checked.
// The gateway parses them from the token's claims, so the commands trust
// them. A tenant-scoped token never becomes a Daemon: the ddns audience
// does not accept it, and the gateway answers it before authentication
// (gateways/inbound/ddnsapi, scope.go).
type Daemon struct {
	TenantID  ids.TenantID
	NetworkID ids.NetworkID
	Key       ids.DaemonKey
}

// decideForDaemon runs one of daemon d's commands on its network: it
// checks d against the network (authorizeDaemon), decides with decide on
// the network's dns aggregate and appends what it decided. notLive is the
// refusal for a network that is no longer live; nil lets the command run
// on it.
func (a *App) decideForDaemon(ctx context.Context, d Daemon, notLive *Error, decide func(report.State) ([]events.Payload, error)) error {
	meta := events.Meta{TenantID: d.TenantID.String(), Actor: "daemon:" + d.Key.Fingerprint().String()}
	_, err := a.decideDNS(ctx, d.NetworkID, meta, func(n network.State) error {
		if err := a.authorizeDaemon(n, d); err != nil {
			return err
		}
		if notLive != nil && !n.Live() {
			return notLive
		}
		return nil
	}, decide)
	return err
}

// authorizeDaemon checks that daemon d may act for network n, the
// authority: n exists, is d's tenant's, is served here and has d bound to
// it. A network of another tenant is "not found", as one that does not
// exist.
func (a *App) authorizeDaemon(n network.State, d Daemon) error {
	if !n.Exists() || n.TenantID != d.TenantID {
		return refuse(Forbidden, msgNetworkNotFound, nil)
	}
	if n.Region != a.d.Region {
		return refuse(Forbidden, msgOtherRegion, fmt.Errorf("network of region %q, this is %q", n.Region, a.d.Region))
	}
	for _, key := range n.Daemons {
		if key == d.Key {
			return nil
		}
	}
	return refuse(Forbidden, msgNotBound, errors.New("the token's key is not among the network's daemons"))
}
