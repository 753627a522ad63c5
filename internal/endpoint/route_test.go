package endpoint

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRoute(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("DELETE /v1/things/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	h := Route(mux)
	for _, c := range []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/v1/things/7", 200, `{"id":"7"}` + "\n", ""},
		{"DELETE", "/v1/things/7", 204, "", ""},
		{"GET", "/v1/nothing", 404, `{"error":"not found"}` + "\n", ""},
		{"PUT", "/v1/things/7", 405, `{"error":"method not allowed"}` + "\n", "DELETE, GET, HEAD"},
		// The mux's redirect to the clean path is its own to give.
		{"GET", "/v1/things/../things/7", http.StatusTemporaryRedirect, "", ""},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		redirect := c.status == http.StatusTemporaryRedirect
		if w.Code != c.status || (!redirect && w.Body.String() != c.body) {
			t.Errorf("%s %s: answer %d %q, want %d %q", c.method, c.path, w.Code, w.Body, c.status, c.body)
		}
		if got := w.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if redirect && w.Header().Get("Location") != "/v1/things/7" {
			t.Errorf("%s %s: Location %q", c.method, c.path, w.Header().Get("Location"))
		}
		if c.status >= 400 && w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, w.Header().Get("Content-Type"))
		}
	}
}
