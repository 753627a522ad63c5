package cftest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const apiPrefix = "/client/v4"

// route dispatches an authenticated request.
func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	rest, ok := strings.CutPrefix(path, apiPrefix+"/zones/")
	if !ok {
		writeFailure(w, noRoute(http.StatusNotFound, path))
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[1] != "dns_records" {
		writeFailure(w, noRoute(http.StatusNotFound, path))
		return
	}
	zoneID := parts[0]
	if !isID(zoneID) {
		writeFailure(w, noRoute(http.StatusBadRequest, path))
		return
	}
	if !f.hasZone(zoneID) {
		writeFailure(w, noRoute(http.StatusNotFound, path))
		return
	}
	if len(parts) == 2 {
		switch r.Method {
		case http.MethodGet:
			f.list(w, zoneID, r.URL.Query())
		case http.MethodPost:
			f.create(w, r, zoneID)
		default:
			writeFailure(w, fail(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method not allowed"))
		}
		return
	}
	id := parts[2]
	if !isID(id) {
		writeFailure(w, noRoute(http.StatusBadRequest, path))
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.get(w, zoneID, id)
	case http.MethodPut:
		f.update(w, r, zoneID, id, true)
	case http.MethodPatch:
		f.update(w, r, zoneID, id, false)
	case http.MethodDelete:
		f.delete(w, zoneID, id)
	default:
		writeFailure(w, fail(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method not allowed"))
	}
}

func (f *Fake) hasZone(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.zones[id]
	return ok
}

func recordNotFound() *failure {
	return fail(http.StatusNotFound, CodeRecordNotFound, "Record does not exist.")
}

func identicalRecord() *failure {
	return fail(http.StatusBadRequest, CodeIdenticalRecord, "An identical record already exists.")
}

// listQuery is a parsed list request.
type listQuery struct {
	typ                           string
	nameExact, nameContains       string
	nameStarts, nameEnds, content string
	page, perPage                 int
}

const (
	defaultPerPage = 100
	minPerPage     = 5
	maxPerPage     = 5000000
)

// parseListQuery reads the filters and paging of a list request. Names are
// made fully qualified in zone and compared without regard to case.
func parseListQuery(q url.Values, zoneName string) (listQuery, *failure) {
	lq := listQuery{page: 1, perPage: defaultPerPage}
	if t := q.Get("type"); t != "" {
		lq.typ = strings.ToUpper(t)
		switch lq.typ {
		case "A", "AAAA", "TXT", "CNAME", "MX", "NS", "SRV", "CAA", "PTR", "HTTPS", "SVCB":
		default:
			return lq, fail(http.StatusBadRequest, CodeInvalidType, "Invalid DNS record type")
		}
	}
	if n := cmp.Or(q.Get("name.exact"), q.Get("name")); n != "" {
		lq.nameExact = normalizeName(n, zoneName)
	}
	lq.nameContains = strings.ToLower(q.Get("name.contains"))
	lq.nameStarts = strings.ToLower(q.Get("name.startswith"))
	lq.nameEnds = strings.ToLower(q.Get("name.endswith"))
	lq.content = cmp.Or(q.Get("content.exact"), q.Get("content"))
	var f *failure
	if lq.page, f = positive(q, "page", 1); f != nil {
		return lq, f
	}
	if lq.perPage, f = positive(q, "per_page", defaultPerPage); f != nil {
		return lq, f
	}
	lq.perPage = min(max(lq.perPage, minPerPage), maxPerPage)
	return lq, nil
}

func positive(q url.Values, key string, def int) (int, *failure) {
	s := q.Get(key)
	if s == "" {
		return def, nil
	}
	// The official client formats its float64 paging fields with -1 precision: "2", never "2.0".
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fail(http.StatusBadRequest, CodeBadPaging, "%s must be a positive integer", key)
	}
	return n, nil
}

func (lq listQuery) match(rec Record) bool {
	name := rec.Name
	return (lq.typ == "" || rec.Type == lq.typ) &&
		(lq.nameExact == "" || name == lq.nameExact) &&
		(lq.nameContains == "" || strings.Contains(name, lq.nameContains)) &&
		(lq.nameStarts == "" || strings.HasPrefix(name, lq.nameStarts)) &&
		(lq.nameEnds == "" || strings.HasSuffix(name, lq.nameEnds)) &&
		(lq.content == "" || rec.Content == lq.content)
}

func sortRecords(recs []Record) {
	slices.SortFunc(recs, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.Content, b.Content), cmp.Compare(a.ID, b.ID))
	})
}

func (f *Fake) list(w http.ResponseWriter, zoneID string, q url.Values) {
	f.mu.Lock()
	z := f.zones[zoneID]
	lq, fl := parseListQuery(q, z.name)
	var matched []Record
	if fl == nil {
		for _, rec := range z.records {
			if lq.match(rec) {
				matched = append(matched, rec)
			}
		}
	}
	f.mu.Unlock()
	if fl != nil {
		writeFailure(w, fl)
		return
	}
	sortRecords(matched)
	total := len(matched)
	start := total
	if lq.page-1 <= total/lq.perPage { // so the product cannot overflow
		start = min((lq.page-1)*lq.perPage, total)
	}
	end := min(start+lq.perPage, total)
	page := make([]WireRecord, 0, end-start)
	for _, rec := range matched[start:end] {
		page = append(page, rec.wire())
	}
	writeResult(w, http.StatusOK, page, &ResultInfo{
		Page: lq.page, PerPage: lq.perPage, Count: len(page), TotalCount: total,
		TotalPages: max(1, (total+lq.perPage-1)/lq.perPage),
	})
}

func (f *Fake) get(w http.ResponseWriter, zoneID, id string) {
	f.mu.Lock()
	rec, ok := f.zones[zoneID].records[id]
	f.mu.Unlock()
	if !ok {
		writeFailure(w, recordNotFound())
		return
	}
	writeResult(w, http.StatusOK, rec.wire(), nil)
}

func (f *Fake) create(w http.ResponseWriter, r *http.Request, zoneID string) {
	body, fl := parseRecordBody(r)
	if fl != nil {
		writeFailure(w, fl)
		return
	}
	rec, fl := f.insert(zoneID, body)
	if fl != nil {
		writeFailure(w, fl)
		return
	}
	writeResult(w, http.StatusOK, rec.wire(), nil)
}

func (f *Fake) insert(zoneID string, body recordBody) (Record, *failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zones[zoneID]
	rec := body.apply(Record{}, true)
	rec.Name = normalizeName(rec.Name, z.name)
	if fl := validate(rec); fl != nil {
		return Record{}, fl
	}
	for _, other := range z.records {
		if sameRecord(rec, other) {
			return Record{}, identicalRecord()
		}
	}
	now := f.clock.Now()
	rec.ID, rec.CreatedOn, rec.ModifiedOn = NewID(), now, now
	z.records[rec.ID] = rec
	return rec, nil
}

func (f *Fake) update(w http.ResponseWriter, r *http.Request, zoneID, id string, full bool) {
	body, fl := parseRecordBody(r)
	if fl != nil {
		writeFailure(w, fl)
		return
	}
	rec, fl := f.replace(zoneID, id, body, full)
	if fl != nil {
		writeFailure(w, fl)
		return
	}
	writeResult(w, http.StatusOK, rec.wire(), nil)
}

func (f *Fake) replace(zoneID, id string, body recordBody, full bool) (Record, *failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zones[zoneID]
	old, ok := z.records[id]
	if !ok {
		return Record{}, recordNotFound()
	}
	rec := body.apply(old, full)
	rec.Name = normalizeName(rec.Name, z.name)
	if fl := validate(rec); fl != nil {
		return Record{}, fl
	}
	for otherID, other := range z.records {
		if otherID != id && sameRecord(rec, other) {
			return Record{}, identicalRecord()
		}
	}
	rec.ModifiedOn = f.clock.Now()
	z.records[id] = rec
	return rec, nil
}

func (f *Fake) delete(w http.ResponseWriter, zoneID, id string) {
	f.mu.Lock()
	z := f.zones[zoneID]
	_, ok := z.records[id]
	delete(z.records, id)
	f.mu.Unlock()
	if !ok {
		writeFailure(w, recordNotFound())
		return
	}
	writeResult(w, http.StatusOK, map[string]string{"id": id}, nil)
}
