// Package code is the aggregate of a one-time code (wardnet.ev.code.<code
// hash>): issued for one purpose and one email, used at most once within
// five minutes (docs/tenants.md; contract §3.5).
//
// The aggregate id is Code.Hash of the code exactly as submitted;
// the code itself is never stored. The email is sealed with the key of the
// day, so it is readable for as long as the code matters and no longer.
// Single use is the runtime's version check: two uses of one code race for
// one Used event, and the loser decides again and fails.
//
// Every failure to use a code is ErrInvalidCode, whatever the reason, so
// the API answers them all alike; the wrapped message says which for logs.
package code
