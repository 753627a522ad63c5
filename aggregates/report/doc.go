// Package report is the aggregate of what a network's daemon reports to the
// DNS side (docs/ddns.md): its public addresses and its ACME DNS-01
// challenge values. One aggregate per network (wardnet.ev.dns.<network id>),
// apart from the network aggregate of the tenants service, so that reports
// never contend with the network's lifecycle.
//
// It decides facts, not records: which records Cloudflare should hold
// follows from these events and the network's lifecycle, and is the DNS
// projector's business (projectors/dns). It checks that an address is
// public (ParsePublicAddress) and that challenge values are few and short.
// SetChallenge and ClearChallenge change the daemon's challenge values (the
// daemon API); AddAccountChallenge adds one value to an acme-dns account's
// own values and keeps its newest few, for which State keeps them oldest
// first. The TXT record publishes the daemon's values and every live
// account's together.
package report
