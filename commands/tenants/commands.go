package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// Commands is every use case of the tenants service, on one screen. Each
// is a struct of the same name in a file named after it (snake_case), with
// its test beside it. *App implements it; the HTTP gateway
// (gateways/inbound/tenantsapi) and the lifecycle process manager call it.
type Commands interface {
	// Bootstrap: no token; the credential, if any, is in the request.

	// IssueCode mails a one-time code for a purpose to any well-formed email.
	IssueCode(context.Context, IssueCode) (code.Code, error)
	// Enroll uses an enrollment code to bind a daemon key to its tenant, pending.
	Enroll(context.Context, Enroll) (ids.TenantID, error)
	// MintDaemonToken mints the token of a registered or pending daemon key.
	MintDaemonToken(context.Context, MintDaemonToken) (string, error)
	// CheckAvailability reports whether a slug can be registered.
	CheckAvailability(context.Context, CheckAvailability) (bool, error)

	// Daemon: a daemon token with proof of possession.

	// RegisterNetwork registers a network and binds the calling daemon to it.
	RegisterNetwork(context.Context, RegisterNetwork) (RegisteredNetwork, error)
	// RemoveSelf unbinds the calling daemon from the network of its token.
	RemoveSelf(context.Context, RemoveSelf) error

	// User: a person's user token, for their own tenant.

	// IssueDaemonCode mails a tenant-bound enrollment code to the tenant's email.
	IssueDaemonCode(context.Context, IssueDaemonCode) (code.Code, error)
	// DeleteNetwork starts deprovisioning a network of the tenant.
	DeleteNetwork(context.Context, DeleteNetwork) error
	// Deregister closes the tenant and frees its email.
	Deregister(context.Context, Deregister) error
	// IssueCredential issues an update credential for a network, secret shown once.
	IssueCredential(context.Context, IssueCredential) (IssuedCredential, error)
	// ListCredentials lists the live update credentials of a network.
	ListCredentials(context.Context, ListCredentials) ([]CredentialInfo, error)
	// RevokeCredential revokes an update credential of a network.
	RevokeCredential(context.Context, RevokeCredential) error
	// OpenEmail opens a tenant's sealed email for the person's own view.
	OpenEmail(context.Context, OpenEmail) (personal.Email, error)

	// Sessions: password logins and browser sessions.

	// Signup creates a password login from a signup code and starts a session.
	Signup(context.Context, Signup) (SessionToken, error)
	// Login starts a session for an email and password.
	Login(context.Context, Login) (SessionToken, error)
	// ResetPassword sets a new password from a reset code and ends every session.
	ResetPassword(context.Context, ResetPassword) error
	// ExchangeSession mints a user token for a live session and slides it.
	ExchangeSession(context.Context, ExchangeSession) (string, error)
	// Logout ends one session.
	Logout(context.Context, Logout) error
	// RevokeSessions ends every session of the tenant.
	RevokeSessions(context.Context, RevokeSessions) error

	// Lifecycle: the process manager's (Lifecycle), each named by its cause.

	// OpenTrial opens the trial subscription of a new tenant.
	OpenTrial(context.Context, OpenTrial) error
	// CloseDeregistered closes the subscription, sessions and networks of a deregistered tenant.
	CloseDeregistered(context.Context, CloseDeregistered) error
	// DeprovisionNetworks starts deprovisioning every network of a tenant.
	DeprovisionNetworks(context.Context, DeprovisionNetworks) error
	// ReleaseNetwork frees a deprovisioned network's slug, daemons and count.
	ReleaseNetwork(context.Context, ReleaseNetwork) error
	// Sweep removes a deregistered tenant that has no network left.
	Sweep(context.Context, Sweep) error
	// ShredTenant destroys a swept tenant's data key.
	ShredTenant(context.Context, ShredTenant) error
	// MarkNetworkDeprovisioned records that a network's DNS records are all gone.
	MarkNetworkDeprovisioned(context.Context, MarkNetworkDeprovisioned) error
}
