package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

// bodyField names the body as a whole in field errors (trailing data, a
// value that is not an object).
const bodyField = "body"

// notAnObject is the field error of a body that is not a JSON object.
const notAnObject = "must be a JSON object"

// maxJSONDepth bounds the nesting of request bodies; none of ours nests
// more than a few levels.
const maxJSONDepth = 32

// bindJSON decodes the request body, which must be one JSON object, into v
// (a pointer to a struct or to a map with string keys). Every problem is a
// field error named by its JSON path, all of them at once: text that is not
// UTF-8 or holds NUL, a value of the wrong type, an unknown field, trailing
// data. Messages speak JSON ("must be a number"), never Go types.
func bindJSON(c *gin.Context, v any) error {
	raw, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.E(apperr.TooLarge, "The request body is larger than %d bytes.", tooBig.Limit)
	}
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The request body could not be read.")
	}
	return decodeJSON(raw, v)
}

func decodeJSON(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return apperr.E(apperr.Invalid, "The request body is empty; a JSON object is expected.")
	}
	fields, err := scanJSON(raw)
	if err != nil {
		return err
	}
	if len(fields) > 0 {
		return apperr.Validation("The request body has invalid fields.", fields...)
	}
	if fields := decodeFields(raw, reflect.TypeOf(v).Elem()); len(fields) > 0 {
		return apperr.Validation("The request body has invalid fields.", fields...)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil { // checked field by field above
		return apperr.Wrap(err, apperr.Invalid, "The request body could not be read.")
	}
	return nil
}

// scanJSON checks the syntax, that the body is one object, its nesting, and
// every string (keys included): valid UTF-8 and no NUL.
func scanJSON(raw []byte) ([]apperr.FieldError, error) {
	type frame struct {
		array     bool
		index     int
		key       string
		expectKey bool
	}
	var stack []frame
	var fields []apperr.FieldError
	path := func(key string, isKey bool) string {
		var b strings.Builder
		for i, f := range stack {
			last := i == len(stack)-1
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			case last && isKey:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(safetext.Clean(key, 100))
			default:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(safetext.Clean(f.key, 100))
			}
		}
		if b.Len() == 0 {
			return bodyField
		}
		return b.String()
	}
	// valueDone advances the parent after a complete value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	prev := int64(0)
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 || first {
				return nil, apperr.E(apperr.Invalid, "The request body is not valid JSON (it ends too early).")
			}
			return fields, nil
		}
		if err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				return nil, apperr.E(apperr.Invalid, "The request body is not valid JSON (at byte %d).", syn.Offset)
			}
			return nil, apperr.E(apperr.Invalid, "The request body is not valid JSON (at byte %d).", dec.InputOffset())
		}
		span := raw[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		if !first && len(stack) == 0 {
			return append(fields, apperr.FieldError{Field: bodyField, Message: "must hold one JSON object and nothing after it"}), nil
		}
		if first {
			first = false
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return nil, apperr.Validation("The request body must be a JSON object.", apperr.FieldError{Field: bodyField, Message: notAnObject})
			}
		}
		isKey := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].expectKey
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return append(fields, apperr.FieldError{Field: path("", false), Message: "is nested too deeply"}), nil
				}
				stack = append(stack, frame{array: t == '[', expectKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if !utf8.Valid(span) || strings.ContainsRune(t, 0) {
				fields = append(fields, apperr.FieldError{Field: path(t, isKey), Message: "must be UTF-8 text without NUL characters"})
			}
			if isKey {
				stack[len(stack)-1].key = t
				stack[len(stack)-1].expectKey = false
			} else {
				valueDone()
			}
		default:
			valueDone()
		}
	}
}

// decodeFields decodes each member of the (already scanned) object into the
// type it has in t, collecting one field error per bad member.
func decodeFields(raw []byte, t reflect.Type) []apperr.FieldError {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return []apperr.FieldError{{Field: bodyField, Message: notAnObject}}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var known map[string]reflect.Type
	switch t.Kind() {
	case reflect.Struct:
		known = jsonFields(t, map[string]reflect.Type{})
	case reflect.Map:
	default:
		return nil
	}
	var out []apperr.FieldError
	for _, k := range keys {
		ft := t.Elem
		if known != nil {
			typ, ok := known[k]
			if !ok {
				out = append(out, apperr.FieldError{Field: k, Message: "is not a known field"})
				continue
			}
			ft = func() reflect.Type { return typ }
		} else if t.Key().Kind() != reflect.String {
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(obj[k]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(reflect.New(ft()).Interface()); err != nil {
			out = append(out, fieldError(k, ft(), err))
		}
	}
	return out
}

// jsonFields maps a struct's JSON member names to their types, including
// promoted fields of embedded structs.
func jsonFields(t reflect.Type, out map[string]reflect.Type) map[string]reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, out)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

var (
	timeType          = reflect.TypeOf(time.Time{})
	uuidType          = reflect.TypeOf(uuid.UUID{})
	textUnmarshalType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// fieldError turns a decoding failure of member key (of type t) into a
// message in JSON terms.
func fieldError(key string, t reflect.Type, err error) apperr.FieldError {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := key
		if typ.Field != "" {
			field = key + "." + typ.Field
		}
		return apperr.FieldError{Field: field, Message: expected(typ.Type)}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return apperr.FieldError{Field: key + "." + strings.Trim(f, `"`), Message: "is not a known field"}
	}
	return apperr.FieldError{Field: key, Message: expected(t)}
}

// expected says in JSON terms what a value of type t looks like.
func expected(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "must be a time such as 2026-11-21T10:00:00Z"
	case t == uuidType || t.ConvertibleTo(uuidType) && t.Kind() == reflect.Array:
		return "must be an id (a UUID)"
	case reflect.PointerTo(t).Implements(textUnmarshalType):
		return "must be a string in the documented format"
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "must be a whole number within range"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	case reflect.Map, reflect.Struct:
		return "must be an object"
	default:
		return "has an invalid value"
	}
}
