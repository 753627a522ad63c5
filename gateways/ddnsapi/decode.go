package ddnsapi

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
// what is wrong and where, without quoting the input.
func decodeBytes(body []byte, v any) error {
	if len(body) == 0 {
		return errors.New(msgNotAnObject)
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
		return fmt.Errorf("field %q must be %s", typ.Field, jsonKind(typ.Field))
	case errors.As(err, &typ):
		return errors.New(msgNotAnObject)
	default:
		return errors.New("malformed JSON in the request body")
	}
}

// fieldKinds names the JSON type of every request field of the API, for
// error messages: the decoder reports an array's element type, not the
// field's.
var fieldKinds = map[string]string{
	"ip":     "a string",
	"values": "an array of strings",
}

func jsonKind(field string) string {
	if k, ok := fieldKinds[field]; ok {
		return k
	}
	return "of another type"
}
