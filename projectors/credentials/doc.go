// Package credentials is the ddns service's projection of the update
// credentials of networks' stock clients (dyndns2, acme-dns; docs/ddns.md):
// a credential's username leads to its id, kind, argon2id secret hash and
// network, and the network to its tenant, slug, region and provisioning
// state, so that a stock client's request names a network.
//
// The projection (New, named update_credentials, schema
// proj_update_credentials) reads network.* only. A revoked credential is
// kept, marked revoked, until its network is deprovisioned, when the
// network and all its credentials go.
//
// The Reader looks a credential up by username. LookupCurrent reads its
// writes: a username it does not find makes it wait, for at most its
// timeout, until the projection has applied the newest network event of the
// log (which it finds with a get-last-message request on
// wardnet.ev.network.*), and look again, so that a credential works as soon
// as its issue is in the log; a projection already there costs no wait. It
// decides nothing:
// verifying the secret, and whether the network is live, of this region
// and still holds the credential (the network aggregate is the authority,
// ahead of this projection), is the commands' business
// (commands/ddns). Nothing here ever sees a secret, only hashes.
package credentials
