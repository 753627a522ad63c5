// Package passwords hashes and verifies account passwords with argon2id
// (wardnet-contract.md §3.6): m=19456 KiB, t=2, p=1, a 16-byte random salt
// and a 32-byte key, stored as a PHC string
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in standard base64 without padding, as the PHC
// format and the reference implementations write them.
//
// Verify reads the parameters from the stored string, so hashes made with
// other parameters keep verifying after the defaults change (NeedsRehash
// tells when to re-hash), but it refuses strings whose parameters are out
// of bounds: a stored hash must not be able to make a login cost
// gigabytes. VerifyDummy costs what a real Verify costs, for logins to an
// unknown email, so that timing does not tell which emails have accounts.
//
// This package does not store, seal or rate-limit anything, and knows
// nothing of emails or accounts.
package passwords
