package endpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// Decode reads the request's JSON object into v, a pointer to a struct
// whose fields are pointers so that a missing field can be told from an
// empty one. Unknown fields are ignored. On a malformed body it answers
// 400 itself, with DecodeBytes's message, and returns false. Behind
// LimitBody the body is already in memory.
func Decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := authn.ReadBody(r)
	if err != nil {
		WriteError(w, http.StatusBadRequest, MsgUnreadable)
		return false
	}
	if err := DecodeBytes(body, v); err != nil {
		WriteError(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// DecodeBytes is Decode's parser, for a handler that needs the body's
// bytes itself. Its errors are the 400 bodies: they say what is wrong and
// where, and never quote the input (it may hold a password). A field of
// the wrong JSON type is named with the type v declares for it ("a
// string", "an array of strings"). Text that encoding/json would let
// through altered or as a NUL (invalid UTF-8, \u0000, an unpaired
// surrogate escape) is refused first, by CheckJSONText.
func DecodeBytes(body []byte, v any) error {
	if len(body) == 0 {
		return errors.New(msgNotAnObject)
	}
	if err := CheckJSONText(body); err != nil {
		return err
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
		return fmt.Errorf("field %q must be %s", typ.Field, fieldKind(reflect.TypeOf(v), typ))
	case errors.As(err, &typ):
		return errors.New(msgNotAnObject)
	default:
		return errors.New("malformed JSON in the request body")
	}
}

// Require answers 400 naming the field name and returns false when it is
// not present (missing, or sent as null), and returns true when it is.
// Chained with ||, the first missing field is the one named.
func Require(w http.ResponseWriter, name string, present bool) bool {
	if !present {
		WriteError(w, http.StatusBadRequest, fmt.Sprintf("missing field %q", name))
	}
	return present
}

// fieldKind names as a JSON type the field of typ.Field: the type the
// target t declares for it, or else the Go type the decoder was filling,
// which for an array's element is the element's, not the field's.
func fieldKind(t reflect.Type, typ *json.UnmarshalTypeError) string {
	if ft := fieldType(t, typ.Field); ft != nil {
		return jsonKind(ft)
	}
	return jsonKind(typ.Type)
}

// fieldType is the type struct type t (or a pointer to one) declares for
// the field at path, the JSON names of the fields from the top joined by
// dots as json.UnmarshalTypeError gives them, or nil if it is not found.
func fieldType(t reflect.Type, path string) reflect.Type {
	for name := range strings.SplitSeq(path, ".") {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := jsonField(t, name)
		if !ok {
			return nil
		}
		t = f.Type
	}
	return t
}

// jsonField is the field of struct type t whose JSON name is name, as
// json.UnmarshalTypeError names it: an embedded struct by its type's name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonKind names Go type t as a JSON type, for error messages.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return "a string" // base64, as encoding/json has it
		}
		if elem, ok := strings.CutPrefix(jsonKind(t.Elem()), "a "); ok {
			return "an array of " + elem + "s"
		}
		return "an array"
	}
	return "of another type"
}
