package dns

import (
	"cmp"
	"slices"
	"strings"

	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// plan is what one reconcile does at Cloudflare to turn the actual records
// of a network's names into the desired ones.
type plan struct {
	keep    []kept   // records that already say what they should
	updates []update // records rewritten in place (content, TTL or proxied)
	creates []record // records missing
	deletes []string // ids of extras and duplicates
}

// writes reports whether p changes anything at Cloudflare.
func (p plan) writes() bool { return len(p.updates)+len(p.creates)+len(p.deletes) > 0 }

type kept struct {
	id  string
	rec record
}

type update struct {
	id  string
	rec record
}

// planFor matches actual records to desired ones, name and type by name and
// type. A desired record is adopted from an actual record with its content
// (preferring one whose TTL and proxied flag already match, then one whose
// id this reconciler stored, then the smallest id, so that two runs choose
// alike); else an unmatched actual record of its name and type is rewritten
// in place (an address that changed keeps its record id); else it is
// created. Every actual record left over is deleted. actual must hold only
// records of the network's names, with the types those names carry.
func planFor(desired []record, actual []zone.Record, owned map[string]bool) plan {
	type key struct {
		name string
		typ  zone.RecordType
	}
	groups := map[key][]zone.Record{}
	for _, a := range actual {
		k := key{strings.ToLower(a.Name), a.Type}
		groups[k] = append(groups[k], a)
	}
	want := map[key][]record{}
	for _, d := range desired {
		k := key{d.Name, d.Type}
		want[k] = append(want[k], d)
	}
	keys := make([]key, 0, len(groups)+len(want))
	for k := range groups {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(string(a.typ), string(b.typ)))
	})
	var p plan
	for _, k := range keys {
		p.add(want[k], groups[k], owned)
	}
	return p
}

// add plans one name and type.
func (p *plan) add(desired []record, actual []zone.Record, owned map[string]bool) {
	pool := slices.Clone(actual)
	slices.SortFunc(pool, func(a, b zone.Record) int { return strings.Compare(a.ID, b.ID) })
	// better orders candidates for adoption: settings already right, then
	// ours, then the smallest id (the pool is sorted by id).
	better := func(d record, a, b zone.Record) bool {
		if sa, sb := sameSettings(d, a), sameSettings(d, b); sa != sb {
			return sa
		}
		return owned[a.ID] && !owned[b.ID]
	}
	take := func(i int) zone.Record {
		a := pool[i]
		pool = slices.Delete(pool, i, i+1)
		return a
	}
	var unmatched []record
	for _, d := range desired {
		best := -1
		for i, a := range pool {
			if normalizeContent(a.Type, a.Content) == d.Content && (best < 0 || better(d, a, pool[best])) {
				best = i
			}
		}
		if best < 0 {
			unmatched = append(unmatched, d)
			continue
		}
		a := take(best)
		if sameSettings(d, a) {
			p.keep = append(p.keep, kept{id: a.ID, rec: d})
		} else {
			p.updates = append(p.updates, update{id: a.ID, rec: d})
		}
	}
	for _, d := range unmatched {
		best := -1
		for i, a := range pool {
			if best < 0 || owned[a.ID] && !owned[pool[best].ID] {
				best = i
			}
		}
		if best < 0 {
			p.creates = append(p.creates, d)
			continue
		}
		p.updates = append(p.updates, update{id: take(best).ID, rec: d})
	}
	for _, a := range pool {
		p.deletes = append(p.deletes, a.ID)
	}
}

// sameSettings reports whether an actual record with d's content also has
// d's TTL and is not proxied.
func sameSettings(d record, a zone.Record) bool {
	return a.TTL == d.TTL && !a.Proxied
}
