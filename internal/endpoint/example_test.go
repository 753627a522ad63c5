package endpoint_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
)

// An API is its routes on a ServeMux, behind Route and Wrap; its handlers
// decode with Decode and Require and answer with WriteJSON and WriteError.
func Example() {
	log := endpoint.Logger(slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/greetings", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name *string `json:"name"`
		}
		if !endpoint.Decode(w, r, &req) || !endpoint.Require(w, "name", req.Name != nil) {
			return
		}
		endpoint.WriteJSON(w, http.StatusOK, map[string]string{"greeting": "hello, " + *req.Name})
	})
	api := endpoint.Wrap(log, time.Now, endpoint.Route(mux))

	for _, body := range []string{`{"name":"ada"}`, `{}`, `{"name":7}`, `{"name":`} {
		w := httptest.NewRecorder()
		api.ServeHTTP(w, httptest.NewRequest("POST", "/v1/greetings", strings.NewReader(body)))
		fmt.Print(w.Code, " ", w.Body)
	}
	w := httptest.NewRecorder()
	api.ServeHTTP(w, httptest.NewRequest("GET", "/v1/greetings", nil))
	fmt.Print(w.Code, " ", w.Header().Get("Allow"), " ", w.Body)
	// Output:
	// 200 {"greeting":"hello, ada"}
	// 400 {"error":"missing field \"name\""}
	// 400 {"error":"field \"name\" must be a string"}
	// 400 {"error":"malformed JSON in the request body at byte 8"}
	// 405 POST {"error":"method not allowed"}
}
