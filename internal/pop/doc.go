// Package pop is the daemon's proof of possession (wardnet-contract.md
// §3.4): every request a daemon makes is signed with the Ed25519 key its
// token names, so that a stolen bearer token is useless without the key.
//
// The signed message is
//
//	METHOD "\n" PATH_AND_QUERY "\n" TIMESTAMP "\n" HEX_SHA256(BODY)
//
// with no trailing newline, carried in the headers X-Wardnet-Timestamp
// (Unix seconds, decimal) and X-Wardnet-Signature (standard base64 with
// padding of the 64-byte signature). The signing side (Sign, SignRequest)
// is what the daemon and the tests use; the verifying side is Verifier.
//
// A Verifier accepts a request when its timestamp is within Window of its
// clock, the signature verifies over the request target exactly as the
// server received it (http.Request.RequestURI), and the request has not
// been seen before. Seen requests are kept in a JetStream KV bucket
// (ReplayBucket) shared by every replica, for ReplayTTL, so a request
// replayed to another replica is refused too. Unlike the reference
// implementation the replay key covers the method and the path and
// query, so two different requests signed in the same second are not
// mistaken for a replay.
//
// This package does not verify tokens (package tokens) and does not
// decide which key or subject a request is checked against, nor what to
// answer: package authn does, and maps the sentinel errors here to 401
// responses whose bodies are their Error() strings.
package pop
