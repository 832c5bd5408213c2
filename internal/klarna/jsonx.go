package klarna

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
)

// Extra holds JSON properties a type does not model. Klarna adds optional
// response fields at any time (README §3.9); keeping them means a decoded
// object re-encodes without losing anything.
type Extra map[string]json.RawMessage

var knownKeysCache sync.Map // reflect.Type -> map[string]struct{}

// jsonKeys returns the JSON property names a struct type declares.
func jsonKeys(t reflect.Type) map[string]struct{} {
	if v, ok := knownKeysCache.Load(t); ok {
		return v.(map[string]struct{})
	}
	keys := map[string]struct{}{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			if f.Anonymous {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					for k := range jsonKeys(ft) {
						keys[k] = struct{}{}
					}
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			name = f.Name
		}
		keys[name] = struct{}{}
	}
	knownKeysCache.Store(t, keys)
	return keys
}

// decodeKeep decodes data into v (a method-less alias of the real type) and
// collects the properties v does not declare into extra. The top-level keys
// are found with a small allocation-free scanner rather than a second decode.
func decodeKeep[T any](data []byte, v *T, extra *Extra) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	*extra = nil
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil
	}
	known := jsonKeys(reflect.TypeFor[T]())
	i := 1
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] == '}' {
			return nil
		}
		if data[i] == ',' {
			i++
			continue
		}
		kStart := i
		kEnd := skipString(data, i)
		i = skipSpace(data, kEnd)
		if i >= len(data) || data[i] != ':' {
			return nil // json.Unmarshal accepted it, so this cannot happen
		}
		i = skipSpace(data, i+1)
		vStart := i
		i = skipValue(data, i)
		rawKey := data[kStart+1 : kEnd-1]
		key := string(rawKey)
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			_ = json.Unmarshal(data[kStart:kEnd], &key)
		}
		if _, ok := known[key]; ok {
			continue
		}
		if *extra == nil {
			*extra = Extra{}
		}
		(*extra)[key] = append(json.RawMessage(nil), data[vStart:i]...)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default:
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
			i++
		}
		return i
	}
}

// encodeKeep encodes v and appends the extra properties it does not declare.
func encodeKeep[T any](v T, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("klarna: cannot merge extra fields into %s", b)
	}
	known := jsonKeys(reflect.TypeFor[T]())
	names := make([]string, 0, len(extra))
	for k := range extra {
		if _, ok := known[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := make([]byte, 0, len(b)+64*len(names))
	out = append(out, b[:len(b)-1]...)
	for _, k := range names {
		if len(out) > 1 {
			out = append(out, ',')
		}
		kb, _ := json.Marshal(k)
		out = append(out, kb...)
		out = append(out, ':')
		raw := extra[k]
		if len(raw) == 0 {
			raw = json.RawMessage("null")
		}
		out = append(out, raw...)
	}
	out = append(out, '}')
	return out, nil
}

// Timestamp is an ISO 8601 instant. Decoding is tolerant (README §3.1: fractional
// seconds and a missing seconds part are accepted, as is a bare date); encoding
// is RFC 3339 in UTC.
type Timestamp struct{ time.Time }

// At wraps t.
func At(t time.Time) Timestamp { return Timestamp{t} }

var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// ParseTimestamp parses the formats Klarna is known to send.
func ParseTimestamp(s string) (time.Time, error) {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("klarna: unrecognised timestamp %q", s)
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Timestamp{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("klarna: timestamp: %w", err)
	}
	if s == "" {
		*t = Timestamp{}
		return nil
	}
	p, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	t.Time = p
	return nil
}

func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}
