package authn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxBodyBytes caps every request body that goes through this package
// (contract §1.3, §3.2).
const MaxBodyBytes = 1 << 20

// ErrBodyTooLarge is returned by ReadBody for a body over MaxBodyBytes;
// its text is the contract's 413 body.
var ErrBodyTooLarge = errors.New("request body exceeds 1 MiB limit")

// bufferedBody is a request body held in memory. ReadBody recognises it
// and answers from memory however much of it a handler has read.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (bufferedBody) Close() error { return nil }

// ReadBody returns the whole body of r, reading at most MaxBodyBytes
// (ErrBodyTooLarge beyond), and leaves r.Body readable again from the
// start. Behind Require the body is already in memory and ReadBody only
// returns it; a handler without Require (POST /v1/token) calls it to get
// the bytes its proof of possession covers. The bytes are shared: do not
// modify them.
func ReadBody(r *http.Request) ([]byte, error) {
	if b, ok := r.Body.(bufferedBody); ok {
		return b.data, nil
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, ErrBodyTooLarge
	}
	var data []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		data, err = io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		if len(data) > MaxBodyBytes {
			return nil, ErrBodyTooLarge
		}
		_ = r.Body.Close()
	}
	if data == nil {
		data = []byte{}
	}
	r.Body = bufferedBody{Reader: bytes.NewReader(data), data: data}
	return data, nil
}
