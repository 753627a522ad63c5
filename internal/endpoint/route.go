package endpoint

import "net/http"

// Route returns a handler that serves mux, except that the answers mux
// gives itself for an unknown path (404) or method (405, with its Allow
// header) are JSON errors like every other. Its other answers of its own,
// such as a redirect to the clean path, are left to mux.
func Route(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// The mux's own answer: learn its status and Allow header only.
		probe := &headerProbe{header: make(http.Header)}
		h.ServeHTTP(probe, r)
		switch probe.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", probe.header.Get("Allow"))
			WriteError(w, http.StatusMethodNotAllowed, msgNotAllowed)
		case http.StatusNotFound, 0:
			WriteError(w, http.StatusNotFound, msgNotFound)
		default:
			mux.ServeHTTP(w, r)
		}
	})
}

// headerProbe is a ResponseWriter that keeps the status and headers and
// drops the body.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }

func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func (p *headerProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
