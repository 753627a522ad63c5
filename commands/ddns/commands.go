package ddns

import (
	"context"
	"net/netip"
)

// Commands is every command of the ddns service, the use cases its
// gateway (gateways/inbound/ddnsapi) translates requests into. Each is
// declared, with its rules, in the file named after it.
type Commands interface {
	// Daemon reports: a network-scoped daemon token with proof of
	// possession (the daemon API), on the token's network.

	// ReportIP records the network's public address of one family (PUT /v1/ip).
	ReportIP(ctx context.Context, c ReportIP) error
	// SetChallenge replaces the daemon's ACME DNS-01 values (PUT /v1/acme-challenge).
	SetChallenge(ctx context.Context, c SetChallenge) error
	// ClearChallenge removes the daemon's ACME DNS-01 values (DELETE /v1/acme-challenge).
	ClearChallenge(ctx context.Context, d Daemon) error

	// Stock clients: dyndns2 and acme-dns, with an update credential, on
	// the credential's network.

	// AdmitClient counts a request per client address, before its credential is checked.
	AdmitClient(ctx context.Context, ip netip.Addr) error
	// Authenticate checks a username and secret and tells whose Client they are.
	Authenticate(ctx context.Context, c Authenticate) (Client, error)
	// AdmitUpdate counts an update or registration per credential.
	AdmitUpdate(ctx context.Context, c Client) error
	// CheckHostname checks that a dyndns2 hostname is the network's, <slug>.<zone>.
	CheckHostname(c CheckHostname) error
	// UpdateAddress records the network's public addresses and tells whether they changed (dyndns2).
	UpdateAddress(ctx context.Context, c UpdateAddress) (changed bool, err error)
	// RegisterACME makes an acme-dns account of the network (acme-dns /register).
	RegisterACME(ctx context.Context, c Client) (ACMEAccount, error)
	// AddACMEChallenge adds an account's DNS-01 value, keeping its newest two (acme-dns /update).
	AddACMEChallenge(ctx context.Context, c AddACMEChallenge) error
}

var _ Commands = (*App)(nil)
