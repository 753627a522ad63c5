package cftest_test

import (
	"net/http"
	"net/http/httptest"
)

func httptestRecorder(h http.Handler, method, target string) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Body.Bytes()
}
