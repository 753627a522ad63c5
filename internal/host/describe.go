package host

import (
	"fmt"
	"log/slog"
	"reflect"
)

// Describe renders a configuration struct (or a pointer to one) for the
// start-up log: one attribute per environment variable, named after it,
// with embedded structs flattened. Values print with fmt, so a DSN shows
// without its password; *_PATH fields show the path, never the file.
func Describe(spec any) slog.Value {
	v := reflect.ValueOf(spec)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return slog.GroupValue()
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return slog.StringValue(fmt.Sprint(spec))
	}
	return slog.GroupValue(describe(v)...)
}

func describe(v reflect.Value) []slog.Attr {
	var attrs []slog.Attr
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("ignored") == "true" {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			attrs = append(attrs, describe(v.Field(i))...)
			continue
		}
		key := f.Tag.Get("envconfig")
		if key == "" {
			key = f.Name
		}
		attrs = append(attrs, slog.String(key, fmt.Sprint(v.Field(i).Interface())))
	}
	return attrs
}
