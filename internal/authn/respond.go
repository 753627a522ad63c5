package authn

import (
	"encoding/json"
	"net/http"
)

// The answers of contract §1.3 that this package gives itself. The pop
// reasons are the pop sentinels' texts.
const (
	msgAuthRequired = "authentication required"
	msgInvalidToken = "invalid token"
	msgUnavailable  = "service temporarily unavailable"
	msgBadBody      = "could not read the request body"
)

// msgNotAccepted is the 403 body for a principal a route does not take.
func msgNotAccepted(p string) string { return "this endpoint does not accept " + p + " callers" }

// writeError answers {"error": msg} with status. The HTTP gateways have
// their own; this one serves the middleware's refusals only.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg}) // a struct of one string cannot fail to marshal
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
