-- Projection runtime tables (package projectors). The read models themselves
-- are not here: each projection creates its tables in its own schema,
-- proj_<name>, and a rebuild builds a new version beside it.

-- +goose Up

-- One row per projection. checkpoint is the stream sequence of the last event
-- the live read model reflects; it changes only in the transaction that
-- changes the read model, and every such transaction locks this row first,
-- so writers of one projection (an old and a new active instance during a
-- takeover, a rebuild's switch) serialise on it.
CREATE TABLE projections (
    name        text        PRIMARY KEY,
    checkpoint  bigint      NOT NULL DEFAULT 0 CHECK (checkpoint >= 0),
    applied_at  timestamptz,                  -- when a transaction last advanced the checkpoint
    rebuilt_at  timestamptz,                  -- when a rebuilt version last replaced the live one
    halted_seq  bigint,                       -- the event the projector stopped at, if it stopped
    halt_reason text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- At most one rebuild per projection: requested by an operator (or a tool),
-- claimed by one running instance, which builds proj_<name>__next from
-- sequence 0 and then switches it in. attempt fences a claim: a rebuild
-- writes only while its attempt is still the row's.
CREATE TABLE projection_rebuilds (
    name         text        PRIMARY KEY REFERENCES projections (name) ON DELETE CASCADE,
    requested_at timestamptz NOT NULL DEFAULT now(),
    attempt      bigint      NOT NULL DEFAULT 0,
    owner        text,                        -- the instance building it; NULL while unclaimed
    started_at   timestamptz,
    heartbeat_at timestamptz,                 -- a claim lapses when this is older than the lease
    checkpoint   bigint      NOT NULL DEFAULT 0, -- last event the new version reflects
    target       bigint      NOT NULL DEFAULT 0, -- stream's last sequence when the attempt started
    finished_at  timestamptz,                 -- set when switched in or failed
    error        text                         -- why it failed; NULL when it succeeded
);

-- +goose Down
DROP TABLE projection_rebuilds;
DROP TABLE projections;
