package cftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Records returns a snapshot of the zone's records, sorted by name, type,
// content and id. An unknown zone has none.
func (f *Fake) Records(zoneID string) []Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	z, ok := f.zones[zoneID]
	if !ok {
		return nil
	}
	recs := make([]Record, 0, len(z.records))
	for _, rec := range z.records {
		recs = append(recs, rec)
	}
	sortRecords(recs)
	return recs
}

// PutRecord adds or replaces a record by hand, behind the client's back,
// without the API's validation. A record without an id gets a new one; a
// relative name is made fully qualified. It returns the stored record.
func (f *Fake) PutRecord(zoneID string, rec Record) (Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	z, ok := f.zones[zoneID]
	if !ok {
		return Record{}, fmt.Errorf("put record: unknown zone %s", zoneID)
	}
	now := f.clock.Now()
	if rec.ID == "" {
		rec.ID = NewID()
	}
	if old, ok := z.records[rec.ID]; ok {
		rec.CreatedOn = old.CreatedOn
	} else if rec.CreatedOn.IsZero() {
		rec.CreatedOn = now
	}
	rec.ModifiedOn = now
	rec.Type = strings.ToUpper(rec.Type)
	rec.Name = normalizeName(rec.Name, z.name)
	if rec.TTL == 0 {
		rec.TTL = 1
	}
	z.records[rec.ID] = rec
	return rec, nil
}

// EditRecord changes a record by hand, behind the client's back.
func (f *Fake) EditRecord(zoneID, id string, edit func(*Record)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	z, ok := f.zones[zoneID]
	if !ok {
		return fmt.Errorf("edit record: unknown zone %s", zoneID)
	}
	rec, ok := z.records[id]
	if !ok {
		return fmt.Errorf("edit record %s: no such record", id)
	}
	edit(&rec)
	rec.ID = id
	rec.ModifiedOn = f.clock.Now()
	z.records[id] = rec
	return nil
}

// RemoveRecord deletes a record by hand, behind the client's back. It
// reports whether the record existed.
func (f *Fake) RemoveRecord(zoneID, id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	z, ok := f.zones[zoneID]
	if !ok {
		return false
	}
	_, ok = z.records[id]
	delete(z.records, id)
	return ok
}

// ZoneListing is one zone in the listing served by ListingHandler.
type ZoneListing struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Records []WireRecord `json:"records"`
}

// ListingHandler serves every zone and its records as JSON, for people
// (wardnet-dev mounts it at GET /dev/dns). It needs no token: mount it only
// where the fake itself is reachable. ?zone=ID narrows it to one zone.
func (f *Fake) ListingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		out := f.listing(r.URL.Query().Get("zone"))
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"zones": out})
	})
}

func (f *Fake) listing(only string) []ZoneListing {
	f.mu.Lock()
	ids := make([]string, 0, len(f.zones))
	names := map[string]string{}
	for id, z := range f.zones {
		if only == "" || id == only {
			ids = append(ids, id)
			names[id] = z.name
		}
	}
	f.mu.Unlock()
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(names[a], names[b]) })
	out := make([]ZoneListing, 0, len(ids))
	for _, id := range ids {
		zl := ZoneListing{ID: id, Name: names[id], Records: []WireRecord{}}
		for _, rec := range f.Records(id) {
			zl.Records = append(zl.Records, rec.wire())
		}
		out = append(out, zl)
	}
	return out
}
