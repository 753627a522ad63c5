// Package tokens owns the JWTs that the tenants service mints and every
// service verifies (wardnet-contract.md §3.1): their claims, the Ed25519
// keys that sign them, key rotation, and the JWKS document that publishes
// the verifying keys.
//
// A token is a compact JWS, alg EdDSA, with a kid header: the RFC 7638
// thumbprint of the signing key. Claims are iss ("tenants"), tid, pt
// ("daemon" or "user"), sub, net (network-scoped daemons only), cnf (the
// daemon's proof-of-possession key), aud, iat and exp. DaemonClaims and
// UserClaims hold the rules for lifetimes and audiences in one place.
//
// Rotation. A Signer signs with one current key and also publishes other
// keys, which keep verifying: retired keys until the tokens they signed
// have expired (at most DaemonTTL), and keys announced ahead of their use.
// Rotating is three deploys of tenants: announce the new public key; sign
// with the new key and keep the old one as retired; after DaemonTTL, drop
// the old one. The tenants replicas verify against their Signer's KeySet;
// ddns and tunneller read the JWKS (RemoteKeys), which they refresh
// periodically and, rate-limited, when a token names a kid they do not
// know, so they follow a rotation without a restart.
//
// This package does not decide who may call what (package authn does,
// with the Principal a Verifier reports) and does not check request
// signatures (package pop).
package tokens
