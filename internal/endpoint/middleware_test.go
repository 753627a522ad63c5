package endpoint

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// testLog is a debug-level JSON logger into buf.
func testLog(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logLines decodes the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// serve runs h as the route GET /boom behind the request log and panic
// recovery, and requests it.
func serve(log *slog.Logger, h http.HandlerFunc) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", h)
	w := httptest.NewRecorder()
	LogRequests(log, time.Now, RecoverPanics(log, Route(mux))).ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
	return w
}

func TestPanicIs500AndLogged(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := serve(testLog(&buf), func(http.ResponseWriter, *http.Request) { panic("secret-free bug") })
	if w.Code != 500 || w.Body.String() != `{"error":"internal server error"}`+"\n" {
		t.Fatalf("answer %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	id := w.Header().Get(HeaderRequestID)
	var panicked, requested bool
	for _, m := range logLines(t, &buf) {
		if m["request_id"] != id {
			t.Errorf("log line without the request id: %v", m)
		}
		switch m["msg"] {
		case "handler panicked":
			panicked = m["level"] == "ERROR" && m["panic"] == "secret-free bug" &&
				strings.Contains(m["stack"].(string), "middleware_test.go")
		case "request":
			requested = m["level"] == "WARN" && m["status"] == float64(500) && m["route"] == "GET /boom"
		}
	}
	if !panicked || !requested {
		t.Errorf("log lacks the panic with its stack or the request line with 500:\n%s", buf.String())
	}
}

// A panic after the answer has begun cannot change it; it is logged and
// the status stays.
func TestPanicAfterWriteKeepsStatus(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := serve(testLog(&buf), func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	})
	if w.Code != http.StatusAccepted || w.Body.Len() != 0 {
		t.Errorf("answer %d %q", w.Code, w.Body)
	}
	if !strings.Contains(buf.String(), "handler panicked") {
		t.Error("late panic not logged")
	}
}

// Without the request log in front, recovery still answers 500.
func TestRecoverPanicsAlone(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := httptest.NewRecorder()
	RecoverPanics(testLog(&buf), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(42) })).
		ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || !strings.Contains(buf.String(), `"panic":"42"`) {
		t.Errorf("answer %d, log %s", w.Code, buf.String())
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
	var buf bytes.Buffer
	serve(testLog(&buf), func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	t.Error("ErrAbortHandler was swallowed")
}

// The request id is in the response header, in the handler's context,
// on the handler's own log lines (through Logger) and on the request line;
// every request has its own.
func TestRequestIDPropagates(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := Logger(testLog(&buf))
	var seen []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, RequestID(r.Context()))
		log.InfoContext(r.Context(), "handling")
		WriteJSON(w, http.StatusOK, map[string]string{"hello": r.PathValue("name")})
	})
	h := Wrap(log, time.Now, Route(mux))
	var ids []string
	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/hello/secret-slug", nil))
		if w.Code != 200 {
			t.Fatalf("answer %d %s", w.Code, w.Body)
		}
		ids = append(ids, w.Header().Get(HeaderRequestID))
	}
	if ids[0] == "" || ids[0] == ids[1] {
		t.Fatalf("request ids %q", ids)
	}
	if len(seen) != 2 || seen[0] != ids[0] || seen[1] != ids[1] {
		t.Errorf("handler saw ids %q, header %q", seen, ids)
	}
	lines := logLines(t, &buf)
	if len(lines) != 4 {
		t.Fatalf("want 4 log lines, got:\n%s", buf.String())
	}
	for i, m := range lines {
		if m["request_id"] != ids[i/2] {
			t.Errorf("line %d: request_id %v, want %s", i, m["request_id"], ids[i/2])
		}
	}
	req := lines[1]
	if req["msg"] != "request" || req["level"] != "INFO" || req["method"] != "GET" ||
		req["route"] != "GET /hello/{name}" || req["status"] != float64(200) || req["duration"] == nil {
		t.Errorf("request line %v", req)
	}
	if strings.Contains(buf.String(), "secret-slug") {
		t.Errorf("the path was logged:\n%s", buf.String())
	}
}

// A logger Logger made is used as is: no line gets its id twice.
func TestLoggerIsIdempotent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	once := Logger(testLog(&buf))
	if Logger(once) != once {
		t.Fatal("Logger wrapped its own logger again")
	}
	Logger(once).With("k", "v").WithGroup("g").InfoContext(WithRequestID(t.Context(), "rid-1"), "x", "a", 1)
	if got := strings.Count(buf.String(), `"request_id":"rid-1"`); got != 1 {
		t.Errorf("request id %d times in %s", got, buf.String())
	}
}

// Mounted under another mux (a service mounts its API at "/"), an
// unrouted request is logged as unmatched, not with the outer pattern.
func TestRequestLogUnderAnotherMux(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	outer := http.NewServeMux()
	outer.Handle("/", LogRequests(testLog(&buf), time.Now, Route(http.NewServeMux())))
	w := httptest.NewRecorder()
	outer.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
	if w.Code != http.StatusNotFound || !strings.Contains(buf.String(), `"route":"unmatched"`) {
		t.Errorf("answer %d, log %s", w.Code, buf.String())
	}
}

// The request line's duration is measured on the clock given.
func TestRequestLogUsesTheClock(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	at := time.Unix(1000, 0)
	now := func() time.Time { at = at.Add(1500 * time.Millisecond); return at }
	h := LogRequests(testLog(&buf), now, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(buf.String(), `"duration":1500000000`) || !strings.Contains(buf.String(), `"status":200`) {
		t.Errorf("log %s", buf.String())
	}
}

const mib = 1 << 20

// A body over 1 MiB is answered 413 before the handler runs, whether it
// announces its length or not; exactly 1 MiB reaches the handler, which
// can read it, and read it again through authn.ReadBody.
func TestLimitBody(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		size    int
		chunked bool
		status  int
	}{
		{mib + 1, false, http.StatusRequestEntityTooLarge},
		{mib + 1, true, http.StatusRequestEntityTooLarge},
		{4 * mib, true, http.StatusRequestEntityTooLarge},
		{mib, false, http.StatusNoContent},
		{mib, true, http.StatusNoContent},
		{0, false, http.StatusNoContent},
	} {
		body := bytes.Repeat([]byte("a"), c.size)
		reached := false
		h := LimitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			got, err := io.ReadAll(r.Body)
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("%d bytes: handler read %d bytes, %v", c.size, len(got), err)
			}
			if again, err := authn.ReadBody(r); err != nil || !bytes.Equal(again, body) {
				t.Errorf("%d bytes: read again %d bytes, %v", c.size, len(again), err)
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		var rd io.Reader = bytes.NewReader(body)
		if c.chunked {
			rd = io.MultiReader(rd) // hides the length
		}
		r := httptest.NewRequest("POST", "/", rd)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%d bytes (chunked %v): status %d, want %d", c.size, c.chunked, w.Code, c.status)
		}
		if c.status == http.StatusRequestEntityTooLarge {
			if reached || w.Body.String() != `{"error":"request body exceeds 1 MiB limit"}`+"\n" {
				t.Errorf("%d bytes: handler reached %v, answer %q", c.size, reached, w.Body)
			}
		}
	}
}

// failingReader fails every read, as a connection that breaks mid-body.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// A body that cannot be read is answered 400 before the handler runs.
func TestLimitBodyUnreadableIs400(t *testing.T) {
	t.Parallel()
	h := LimitBody(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("handler reached") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/", failingReader{}))
	if w.Code != http.StatusBadRequest || w.Body.String() != `{"error":"could not read the request body"}`+"\n" {
		t.Errorf("answer %d %q", w.Code, w.Body)
	}
}

// A path or query parameter holding an ASCII control character or invalid
// UTF-8 is answered 400 before the router, the body cap or the handler;
// everything else, legal escapes included, reaches them unchanged.
func TestRefuseBadURLText(t *testing.T) {
	t.Parallel()
	const (
		badPath  = `{"error":"the request path holds a control character or invalid UTF-8"}`
		badName  = `{"error":"a query parameter name holds a control character or invalid UTF-8"}`
		badSlug  = `{"error":"query parameter \"slug\" holds a control character or invalid UTF-8"}`
		badQuery = `{"error":"a query parameter holds a control character or invalid UTF-8"}`
	)
	for _, c := range []struct {
		name, target string
		want         string // the 400's body, or "" when the request gets through
	}{
		{"plain", "/v1/networks/abc/daemons?slug=home", ""},
		{"escaped slash", "/v1/networks/a%2Fb/daemons", ""},
		{"escaped space and UTF-8", "/v1/networks/a%20caf%C3%A9/daemons?slug=caf%C3%A9+x", ""},
		{"escaped percent and question mark", "/v1/networks/100%25%3F/daemons?q=%26%3D", ""},
		{"escape that does not decode in the query", "/v1/x?slug=%zz", ""},
		{"NUL in the path", "/v1/networks/%00/daemons", badPath},
		{"CR LF in the path", "/v1/networks/a%0D%0Ab/daemons", badPath},
		{"TAB in the path", "/v1/networks/a%09b/daemons", badPath},
		{"DEL in the path", "/v1/networks/%7F/daemons", badPath},
		{"invalid UTF-8 in the path", "/v1/networks/%ff/daemons", badPath},
		{"UTF-8 surrogate in the path", "/v1/networks/%ED%A0%80/daemons", badPath},
		{"NUL in a value", "/v1/availability?slug=a%00b", badSlug},
		{"LF in a value", "/v1/availability?other=x&slug=a%0a", badSlug},
		{"invalid UTF-8 in a value", "/v1/availability?slug=%C3", badSlug},
		{"bad second value", "/v1/availability?slug=ok&slug=%1b", badSlug},
		{"NUL in a name", "/v1/availability?sl%00ug=a", badName},
		{"long name", "/v1/availability?" + strings.Repeat("n", 33) + "=%00", badQuery},
		{"path before query", "/%00?slug=%00", badPath},
	} {
		reached := false
		h := RefuseBadURLText(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			w.WriteHeader(http.StatusNoContent)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", c.target, nil))
		switch {
		case c.want == "" && (!reached || w.Code != http.StatusNoContent):
			t.Errorf("%s: %s answered %d %q, want it through", c.name, c.target, w.Code, w.Body)
		case c.want != "" && (reached || w.Code != http.StatusBadRequest || w.Body.String() != c.want+"\n"):
			t.Errorf("%s: %s reached %v, answered %d %q, want 400 %s", c.name, c.target, reached, w.Code, w.Body, c.want)
		}
	}
}

// Behind Wrap, legal escapes reach the router and the handler as sent: an
// escaped slash stays in one path segment, and the path the client sent
// is the one the handler sees (a proof of possession signs it).
func TestWrapPassesEscapesToTheRouter(t *testing.T) {
	t.Parallel()
	for target, want := range map[string]string{
		"/items/a%2Fb?q=%2F":        "a/b",
		"/items/caf%C3%A9?q=%C3%A9": "café",
		"/items/a%20b%25?q=+":       "a b%",
	} {
		var got, escaped, query string
		mux := http.NewServeMux()
		mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
			got, escaped, query = r.PathValue("id"), r.URL.EscapedPath(), r.URL.RawQuery
			w.WriteHeader(http.StatusNoContent)
		})
		var buf bytes.Buffer
		w := httptest.NewRecorder()
		Wrap(testLog(&buf), time.Now, Route(mux)).ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		path, rawQuery, _ := strings.Cut(target, "?")
		if w.Code != http.StatusNoContent || got != want || escaped != path || query != rawQuery {
			t.Errorf("%s: answered %d, handler saw id %q, path %q, query %q", target, w.Code, got, escaped, query)
		}
	}
}

// Behind Wrap, a refused URL is answered before the body is read, and is
// logged with its request id like every answer, as unmatched.
func TestWrapRefusesBadURLText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items/{id}", func(http.ResponseWriter, *http.Request) { t.Error("handler reached") })
	w := httptest.NewRecorder()
	// A body that cannot be read: the body cap would answer that instead.
	Wrap(testLog(&buf), time.Now, Route(mux)).ServeHTTP(w, httptest.NewRequest("POST", "/items/%00", failingReader{}))
	if w.Code != http.StatusBadRequest || w.Header().Get(HeaderRequestID) == "" ||
		w.Body.String() != `{"error":"the request path holds a control character or invalid UTF-8"}`+"\n" {
		t.Fatalf("answer %d %q", w.Code, w.Body)
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["status"] != float64(400) || lines[0]["route"] != "unmatched" ||
		lines[0]["request_id"] != w.Header().Get(HeaderRequestID) {
		t.Errorf("log %s", buf.String())
	}
}
