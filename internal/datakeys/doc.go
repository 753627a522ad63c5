// Package datakeys keeps the data keys that personal data is sealed with
// before it enters the event log, so that destroying a key shreds that data
// in an immutable log (crypto-shredding; DESIGN.md §3, docs/tenants.md).
//
// A Keyring holds the service's master key, read from a file. From it, HKDF
// (SHA-256) derives two keys: the key-encryption key (KEK) and the index
// key. Each data key is 32 random bytes, stored in Postgres (table
// data_keys, migration 00003) wrapped by the KEK with AES-256-GCM, the key
// id being the additional data, so a wrapped key cannot be moved to another
// id. Key ids name what a key covers: TenantKey ("tenant:<id>") for what
// belongs to a tenant and DayKey ("day:YYYY-MM-DD", UTC) for short-lived
// data such as the email of a one-time code.
//
// Seal encrypts with AES-256-GCM under a data key, creating the key on first
// use; concurrent first uses in any number of replicas agree on one key.
// The result is a self-describing string,
//
//	v1.<base64url(key id)>.<base64url(nonce || ciphertext)>
//
// (unpadded base64url; the key id is also the additional data), so Open
// needs nothing else. Destroy empties the wrapped key and marks the row
// destroyed; from then on Open and Seal with that key fail with ErrShredded,
// in every replica: each Seal and Open reads the key's row, and the
// in-memory cache only saves unwrapping a key whose row is unchanged.
// Destroying a key that never existed leaves a tombstone so it is never
// created afterwards. RunJanitor destroys day keys two days after their
// day (DayKeyRetention).
//
// Index is a keyed hash (HMAC-SHA256 under the index key) for lookups and
// reservation subjects that must not reveal the value, such as the email
// index; it is deterministic per master key and never shredded, so it must
// only be used for values whose existence may be tested by whoever holds
// the master key.
//
// This package does not decide what is personal or which key covers it
// (the application does), does not normalise values before Index (callers
// lower-case emails), and does not rotate the master key: changing the
// master key makes every existing data key unreadable (ErrMasterKey).
// Destroyed keys may survive in Postgres backups and, until vacuumed, in
// dead row versions; operators bound both.
package datakeys
