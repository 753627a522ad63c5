// Package sessioncookie seals the browser session cookie wardnet_session
// (wardnet-contract.md §3.6): the session token inside is encrypted and
// authenticated, so a browser can neither read nor forge it.
//
// A Sealer derives an AES-256-GCM key from the service's cookie key (at
// least MinKeyLen bytes, from a file: LoadKey) with HKDF-SHA256. A sealed
// value is base64url, without padding, of nonce || ciphertext || tag, with
// a random 12-byte nonce and the cookie name as additional data, so a
// value sealed for another cookie does not open as this one. New and Clear
// make the Set-Cookie values with the contract's attributes (HttpOnly,
// Secure, SameSite=Lax, Path=/, Max-Age 30 days).
//
// This package does not create, store or expire sessions (the account
// aggregate does) and does not read the request: the gateway finds the
// cookie by Name and hands its value to Open.
package sessioncookie
