-- Aggregate snapshots: the folded state of one aggregate at a stream
-- sequence, so that loading it reads only the events after that sequence.
-- A snapshot is a cache: deleting any row only makes the next load slower.

-- +goose Up
CREATE TABLE snapshots (
    aggregate      text        NOT NULL,            -- aggregate type, e.g. 'tenant'
    id             text        NOT NULL,            -- aggregate id
    version        bigint      NOT NULL,            -- events folded into the state
    stream_seq     bigint      NOT NULL,            -- sequence of the last event folded in
    schema_version integer     NOT NULL,            -- version of the state's encoding
    state          jsonb       NOT NULL,
    -- The aggregate's most recent command ids with the sequence of each
    -- one's last event ([{"id": "...", "seq": 42}, ...], oldest first), so
    -- that a command retried after it succeeded is recognised even when its
    -- events are older than the snapshot (package aggregates).
    commands       jsonb       NOT NULL DEFAULT '[]',
    taken_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (aggregate, id)
);

-- +goose Down
DROP TABLE snapshots;
