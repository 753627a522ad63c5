package aggregates

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/wardnet/wardnet-cloud/events"
)

// position is how far a fold has come through an aggregate's events, and
// what the runtime keeps beside the state.
type position struct {
	count       int              // events folded
	seq         events.StreamSeq // sequence of the last one
	recent      []recentCommand  // the last commands folded, oldest first
	snapshotted int              // count at the newest snapshot known to be stored
}

// frozen is an encoded state at a position: what the cache holds and what
// a snapshot row stores. A frozen value is never modified once built.
type frozen struct {
	position
	state []byte // S as JSON
}

// load folds aggregate ref up to the end of its events. useCache false
// starts from the snapshot (or the beginning) instead of the cache; Execute
// loads that way after a conflict.
//
// The cache and the snapshot only say where to start: every load then reads
// the log after that point (one Direct Get batch, usually empty), so the
// state is never older than the log as this load read it.
func (r *Repository[S]) load(ctx context.Context, ref events.Ref, useCache bool) (Loaded[S], position, error) {
	state, pos, fromCache := r.start(ctx, ref, useCache)
	folded := 0
	for rec, err := range r.store.Load(ctx, ref, pos.seq) {
		if err != nil {
			return Loaded[S]{}, position{}, err
		}
		state = r.kind.Evolve(state, rec)
		pos.count++
		pos.seq = rec.Seq
		pos.recent = noteCommand(pos.recent, rec.ID, rec.Seq)
		folded++
	}
	r.keep(ctx, ref, state, &pos, folded > 0 || !fromCache)
	return Loaded[S]{State: state, Version: pos.seq, Events: pos.count}, pos, nil
}

// start returns the state to fold from: the cached one, else the snapshot,
// else the initial state. Each returned state is freshly decoded, so the
// caller owns it.
func (r *Repository[S]) start(ctx context.Context, ref events.Ref, useCache bool) (S, position, bool) {
	if useCache && r.cache != nil {
		if f := r.cache.get(ref.ID()); f != nil {
			s, err := r.decode(f.state)
			if err == nil {
				return s, f.position.clone(), true
			}
			// S's JSON does not round-trip; the snapshot would not either.
			r.log.WarnContext(ctx, "cached aggregate state does not decode; folding from the start",
				"aggregate", ref.String(), "error", err)
			return r.kind.initial(), position{}, false
		}
	}
	if f := r.readSnapshot(ctx, ref); f != nil {
		s, err := r.decode(f.state)
		if err == nil {
			return s, f.position, false
		}
		r.log.WarnContext(ctx, "snapshot ignored: state does not decode",
			"aggregate", ref.String(), "seq", f.seq, "error", err)
	}
	return r.kind.initial(), position{}, false
}

func (r *Repository[S]) decode(data []byte) (S, error) {
	s := r.kind.initial()
	err := json.Unmarshal(data, &s)
	return s, err
}

// keep remembers a loaded state: in the cache when it changed, and as a
// snapshot when enough events were folded since the last one. Neither may
// fail the load; problems are logged.
func (r *Repository[S]) keep(ctx context.Context, ref events.Ref, state S, pos *position, changed bool) {
	snapshot := r.every > 0 && pos.count-pos.snapshotted >= r.every
	cache := r.cache != nil && changed
	if !snapshot && !cache {
		return
	}
	data, err := json.Marshal(state)
	if err != nil {
		r.log.WarnContext(ctx, "aggregate state does not encode; not cached or snapshotted",
			"aggregate", ref.String(), "error", err)
		return
	}
	if snapshot {
		if err := r.writeSnapshot(ctx, ref, pos, data); err != nil {
			r.log.WarnContext(ctx, "snapshot not written", "aggregate", ref.String(), "seq", pos.seq, "error", err)
		} else {
			pos.snapshotted = pos.count
		}
	}
	if cache {
		r.cache.put(ref.ID(), &frozen{position: *pos, state: data})
	}
}

// clone copies what a fold modifies, so a frozen position stays unchanged.
func (p position) clone() position {
	p.recent = slices.Clone(p.recent)
	return p
}
