package aggregates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
)

const selectSnapshot = `
SELECT version, stream_seq, schema_version, state, commands
FROM snapshots WHERE aggregate = $1 AND id = $2`

// upsertSnapshot never replaces a snapshot of a later event. It does
// replace one of the same event: a load only writes at a position it
// already had a snapshot for when that snapshot was unusable (another state
// version, or corrupt), and then the new one is the better one.
const upsertSnapshot = `
INSERT INTO snapshots (aggregate, id, version, stream_seq, schema_version, state, commands, taken_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now())
ON CONFLICT (aggregate, id) DO UPDATE SET
    version        = excluded.version,
    stream_seq     = excluded.stream_seq,
    schema_version = excluded.schema_version,
    state          = excluded.state,
    commands       = excluded.commands,
    taken_at       = excluded.taken_at
WHERE snapshots.stream_seq <= excluded.stream_seq`

// readSnapshot returns ref's snapshot, or nil when there is none or it
// cannot be used. A snapshot is only a cache, so failing to read one is
// logged and the load folds from the start instead.
func (r *Repository[S]) readSnapshot(ctx context.Context, ref events.Ref) *frozen {
	if r.every == 0 {
		return nil
	}
	var (
		count, seq    int64
		schemaVersion int32
		state, cmds   []byte
	)
	err := r.pool.QueryRow(ctx, selectSnapshot, ref.Type(), ref.ID()).Scan(&count, &seq, &schemaVersion, &state, &cmds)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		r.log.WarnContext(ctx, "snapshot not read; folding from the start", "aggregate", ref.String(), "error", err)
		return nil
	}
	if int(schemaVersion) != r.kind.StateVersion {
		r.log.DebugContext(ctx, "snapshot ignored: other state version",
			"aggregate", ref.String(), "schema_version", schemaVersion, "want", r.kind.StateVersion)
		return nil
	}
	f := &frozen{state: state}
	if err := json.Unmarshal(cmds, &f.recent); err != nil || count < 0 || seq < 0 || (count == 0) != (seq == 0) {
		r.log.WarnContext(ctx, "snapshot ignored: corrupt position",
			"aggregate", ref.String(), "version", count, "seq", seq, "error", err)
		return nil
	}
	f.count, f.seq, f.snapshotted = int(count), events.StreamSeq(seq), int(count)
	return f
}

func (r *Repository[S]) writeSnapshot(ctx context.Context, ref events.Ref, pos *position, state []byte) error {
	cmds, err := json.Marshal(pos.recent)
	if err != nil {
		return err
	}
	if pos.recent == nil {
		cmds = []byte("[]")
	}
	_, err = r.pool.Exec(ctx, upsertSnapshot, ref.Type(), ref.ID(),
		int64(pos.count), int64(pos.seq), int32(r.kind.StateVersion), state, cmds)
	if err != nil {
		return fmt.Errorf("write snapshot of %s at %d: %w", ref, pos.seq, err)
	}
	return nil
}
