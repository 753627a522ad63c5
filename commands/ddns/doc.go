// Package ddns is the ddns service's application layer: the commands a
// network's daemon and the stock clients (dyndns2, acme-dns) run through
// the ddns API (docs/ddns.md, contract §1.6), decided on the network's dns
// aggregate (aggregates/report) or, for an acme-dns account, on the network
// aggregate, and appended to the event log.
//
// Its shape: App runs the commands; Commands (commands.go) lists them on
// one screen, and the gateway holds that interface. Each command is a
// struct named after it (ReportIP, UpdateAddress, …) in a file named after
// it, with its test beside it; a command with a single value past the
// context (ClearChallenge's Daemon, RegisterACME's Client, AdmitClient's
// address) takes that value instead. A command returns what it decided
// when its gateway needs it (UpdateAddress: whether the address changed;
// RegisterACME: the account). What several commands share is in app.go
// (New, decideDNS), daemon.go (the Daemon caller and its check) and
// client.go (the stock Client and its check).
//
// The daemon's reports: ReportIP records the network's public address of
// one family, SetChallenge and ClearChallenge its ACME DNS-01 values. Each
// loads the network (aggregates/network, the tenants service's aggregate,
// read here and never written), the authority on whether the daemon may
// report for it: the token's network exists, belongs to the token's
// tenant, is served by this region and has the calling daemon bound to it
// (authorizeDaemon); reports go only to live networks. That the token is
// network-scoped at all is authentication's business: a tenant-scoped
// token is not addressed to ddns and never becomes a Daemon (the gateway
// answers it). Then the command decides on dns.<network id>; the DNS
// projection and its reconciler take it from the log.
//
// The stock clients act through an update credential instead of a daemon
// token: AdmitClient throttles per client address, Authenticate verifies a
// username and secret against the update credentials projection
// (projectors/credentials; a username it does not know yet waits, bounded,
// for the projection to reach the log, so that a credential works as soon
// as it is issued) and gives a Client, the credential's network;
// AdmitUpdate throttles per credential. CheckHostname, UpdateAddress
// (dyndns2: the rules of ReportIP), RegisterACME (an acme-dns account: a
// credential of kind acme_dns, decided on the network aggregate) and
// AddACMEChallenge (acme-dns: the account's newest two values, kept apart
// from the daemon's and other accounts') then act on that network only,
// after checking on the network aggregate, the authority, that the
// credential is still live there, the network live and of this region
// (authorizeClient). Secrets are never logged, nor kept: only hashed.
//
// Nothing here calls Cloudflare: which records follow from these events,
// and making Cloudflare hold them, is the DNS projector's business
// (projectors/dns). This package does not speak HTTP (gateways/inbound/ddnsapi)
// and does not check tokens or request signatures (internal/authn).
//
// The daemon commands' refusals are *Error values with a Kind, which the
// gateway maps to a status and whose Message is the answer's body text;
// the stock-client commands' are sentinels (ErrBadCredentials, ErrNoHost,
// …) that each protocol answers in its own terms. Anything else is an
// internal failure.
package ddns
