package pop

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// The request headers that carry a proof of possession (contract §3.4).
const (
	HeaderTimestamp = "X-Wardnet-Timestamp"
	HeaderSignature = "X-Wardnet-Signature"
)

// BodyHash is the lower-case hex SHA-256 of a request body, the last line of
// the signed message.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Message is the byte string a daemon signs: the method, the raw path and
// query, the timestamp exactly as in its header and the body's hash, joined by
// "\n" with no trailing newline.
func Message(method, pathAndQuery, timestamp string, body []byte) []byte {
	return messageWithHash(method, pathAndQuery, timestamp, BodyHash(body))
}

func messageWithHash(method, pathAndQuery, timestamp, bodyHash string) []byte {
	msg := make([]byte, 0, len(method)+len(pathAndQuery)+len(timestamp)+len(bodyHash)+3)
	msg = append(msg, method...)
	msg = append(msg, '\n')
	msg = append(msg, pathAndQuery...)
	msg = append(msg, '\n')
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, bodyHash...)
	return msg
}

// Sign signs a request made at now and returns the values of its two headers.
func Sign(key ed25519.PrivateKey, method, pathAndQuery string, now time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(now.Unix(), 10)
	sig := ed25519.Sign(key, Message(method, pathAndQuery, timestamp, body))
	return timestamp, base64.StdEncoding.EncodeToString(sig)
}

// SignRequest sets the proof-of-possession headers of req, whose body is
// body, signing the request target exactly as it goes on the wire.
func SignRequest(req *http.Request, key ed25519.PrivateKey, body []byte, now time.Time) {
	ts, sig := Sign(key, req.Method, req.URL.RequestURI(), now, body)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
}
