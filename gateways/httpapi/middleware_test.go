package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serve runs h behind the request log and panic recovery, as New does.
func serve(a *api, h http.HandlerFunc) *httptest.ResponseRecorder {
	a.mux.HandleFunc("GET /boom", h)
	w := httptest.NewRecorder()
	a.logRequests(a.recoverPanics(http.HandlerFunc(a.route))).ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
	return w
}

func TestPanicIs500AndLogged(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	w := serve(testAPI(&log), func(http.ResponseWriter, *http.Request) { panic("secret-free bug") })
	if w.Code != 500 || strings.TrimSpace(w.Body.String()) != `{"error":"internal server error"}` {
		t.Fatalf("answer %d %s", w.Code, w.Body)
	}
	id := w.Header().Get(HeaderRequestID)
	var panicked, requested bool
	for line := range strings.SplitSeq(strings.TrimSpace(log.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["request_id"] != id {
			t.Errorf("log line without the request id: %s", line)
		}
		switch m["msg"] {
		case "handler panicked":
			panicked = m["panic"] == "secret-free bug" && strings.Contains(m["stack"].(string), "middleware_test.go")
		case "request":
			requested = m["status"] == float64(500) && m["route"] == "GET /boom"
		}
	}
	if !panicked || !requested {
		t.Errorf("log lacks the panic with its stack or the request line with 500:\n%s", log.String())
	}
}

// A panic after the answer has begun cannot change it; it is logged and
// the status stays.
func TestPanicAfterWriteKeepsStatus(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	w := serve(testAPI(&log), func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	})
	if w.Code != http.StatusAccepted || w.Body.Len() != 0 {
		t.Errorf("answer %d %q", w.Code, w.Body)
	}
	if !strings.Contains(log.String(), "handler panicked") {
		t.Error("late panic not logged")
	}
}

// http.ErrAbortHandler keeps its meaning: the server aborts the answer.
func TestAbortHandlerPropagates(t *testing.T) {
	t.Parallel()
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	var log bytes.Buffer
	serve(testAPI(&log), func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	t.Error("ErrAbortHandler was swallowed")
}

// Mounted under another mux (the service mounts the API at "/"), an
// unrouted request is logged as unmatched, not with the outer pattern.
func TestRequestLogUnderAnotherMux(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	a := testAPI(&log)
	outer := http.NewServeMux()
	outer.Handle("/", a.logRequests(http.HandlerFunc(a.route)))
	w := httptest.NewRecorder()
	outer.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
	if w.Code != http.StatusNotFound || !strings.Contains(log.String(), `"route":"unmatched"`) {
		t.Errorf("answer %d, log %s", w.Code, log.String())
	}
}
