package aggregates

// CacheLen is how many aggregates r's cache holds.
func CacheLen[S any](r *Repository[S]) int {
	if r.cache == nil {
		return 0
	}
	return r.cache.len()
}
