package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// decode reads the request's JSON object into v, whose fields are
// pointers so that a missing field can be told from an empty one. Unknown
// fields are ignored. On a malformed body it answers 400 itself and
// returns false. The body is already in memory (limitBody).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := authn.ReadBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, msgUnreadable)
		return false
	}
	if err := decodeBytes(body, v); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// decodeBytes is decode's parser. Its errors are the 400 bodies: they say
// what is wrong and where, and never quote the input (it may hold a
// password).
func decodeBytes(body []byte, v any) error {
	if len(body) == 0 {
		return errors.New("request body must be a JSON object")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON in the request body at byte %d", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON in the request body: unexpected end")
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("field %q must be %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	case errors.As(err, &typ):
		return errors.New("request body must be a JSON object")
	default:
		return errors.New("malformed JSON in the request body")
	}
}

// jsonKind names a Go kind as a JSON type, for error messages.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "float64":
		return "a number"
	default:
		return "of another type"
	}
}

// field is a request field and whether the request had it.
type field struct {
	name    string
	present bool
}

// require answers 400 naming the first missing field and returns false,
// or returns true when every field is present. A field sent as null is
// missing.
func require(w http.ResponseWriter, fields ...field) bool {
	for _, f := range fields {
		if !f.present {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("missing field %q", f.name))
			return false
		}
	}
	return true
}
