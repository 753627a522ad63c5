// Package ddns is the ddns service's application layer: what a network's
// daemon reports through the DDNS API (docs/ddns.md, contract §1.6),
// decided on the network's dns aggregate (aggregates/dns) and appended to
// the event log. ReportIP records the network's public address of one
// family, SetChallenge and ClearChallenge its ACME DNS-01 values.
//
// Each command loads the network (aggregates/network, the tenants
// service's aggregate, read here and never written) to check that the
// caller may report for it: the token's network exists, belongs to the
// token's tenant, is served by this region and has the calling daemon
// bound to it; reports go only to live networks. Then it decides on
// dns.<network id>; the DNS projection and its reconciler take it from the
// log.
//
// The stock clients (dyndns2, acme-dns) act through an update credential
// instead of a daemon token: AdmitClient throttles per client address,
// Authenticate verifies a username and secret against the update
// credentials projection (projectors/credentials: argon2id hashes; a
// username it does not know yet waits, bounded, for the projection to reach
// the log, so that a credential works as soon as it is issued) and gives a
// Client, the credential's network; AdmitUpdate throttles per credential.
// CheckHostname, UpdateAddress (dyndns2: the rules of ReportIP),
// RegisterACME (an acme-dns account: a credential of kind acme_dns,
// decided on the network aggregate) and AddACMEChallenge (acme-dns: the
// account's newest two values, kept apart from the daemon's and other
// accounts') then act on that network only, after
// checking on the network aggregate, the authority, that the credential is
// still live there, the network live and of this region. Their errors are
// sentinels (ErrBadCredentials, ErrNoHost, …) that each protocol answers
// in its own terms. Secrets are never logged, nor kept: only hashed.
//
// Nothing here calls Cloudflare: which records follow from these events,
// and making Cloudflare hold them, is the DNS projector's business
// (projectors/dns). This package does not speak HTTP (gateways/inbound/ddnsapi)
// and does not check tokens or request signatures (internal/authn).
//
// Errors a caller can act on are *Error values with a Kind, which the
// gateway maps to a status and whose Message is the answer's body text;
// anything else is an internal failure.
package ddns
