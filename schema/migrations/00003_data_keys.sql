-- Data keys for crypto-shredding (package internal/datakeys). Each row is
-- one 32-byte data key, wrapped (AES-256-GCM) by a key derived from the
-- service's master key, which is a file and never in the database. Personal
-- data in the event log is sealed with one of these keys; destroying a key
-- (wrapped emptied, destroyed_at set) makes everything sealed with it
-- unreadable. Rows are never deleted: a destroyed row stays as a tombstone
-- so that the id cannot be given a fresh key. These rows are not rebuilt
-- from the log and must be backed up with the database (a restored backup
-- brings destroyed keys back: keep backups shorter-lived than the promise
-- made to users).

-- +goose Up
CREATE TABLE data_keys (
    id           text        PRIMARY KEY,      -- e.g. 'tenant:<id>', 'day:2026-05-01'
    wrapped      bytea       NOT NULL,         -- nonce || AES-256-GCM(KEK, key); empty once destroyed
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((destroyed_at IS NULL) = (length(wrapped) > 0))
);

-- +goose Down
DROP TABLE data_keys;
