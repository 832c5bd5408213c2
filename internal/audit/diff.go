package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Redacted replaces the value of a secret field in a diff.
const Redacted = "[redacted]"

// secretWords mark a JSON field name as secret when its lower-cased name,
// with '_' and '-' removed, contains one of them. This covers secret,
// password, token, api_key, key_secret, client_secret and private_key in
// snake, kebab and camel case.
var secretWords = []string{"secret", "password", "passwd", "token", "apikey", "privatekey"}

// IsSecretField reports whether values under the JSON field name are
// redacted in diffs.
func IsSecretField(name string) bool {
	n := strings.ToLower(name)
	n = strings.NewReplacer("_", "", "-", "").Replace(n)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Diff compares the JSON forms of before and after field by field and
// returns canonical JSON of the form
//
//	{"field": {"before": x, "after": y}, "address.city": {...}}
//
// Nested objects are flattened to dotted paths; arrays and scalars are
// compared as whole values; unchanged fields are left out, and a field
// missing on one side counts as null (so a create has before null, a delete
// after null). A field whose path contains a secret name (IsSecretField)
// shows Redacted instead of each non-null value and "changed": true; secret
// fields inside arrays are replaced by Redacted as well. Diff(nil, nil) and
// a diff of equal values are {}.
func Diff(before, after any) (json.RawMessage, error) {
	b, err := jsonValue(before)
	if err != nil {
		return nil, fmt.Errorf("audit diff: before: %w", err)
	}
	a, err := jsonValue(after)
	if err != nil {
		return nil, fmt.Errorf("audit diff: after: %w", err)
	}
	fb, fa := map[string]any{}, map[string]any{}
	flatten(nil, b, fb)
	flatten(nil, a, fa)
	paths := make(map[string]bool, len(fb)+len(fa))
	for p := range fb {
		paths[p] = true
	}
	for p := range fa {
		paths[p] = true
	}
	out := make(map[string]any)
	for p := range paths {
		bv, av := fb[p], fa[p]
		cb, err := appendCanonical(nil, bv)
		if err != nil {
			return nil, fmt.Errorf("audit diff: %s: %w", p, err)
		}
		ca, err := appendCanonical(nil, av)
		if err != nil {
			return nil, fmt.Errorf("audit diff: %s: %w", p, err)
		}
		if bytes.Equal(cb, ca) {
			continue
		}
		if secretPath(p) {
			out[p] = map[string]any{"before": redact(bv), "after": redact(av), "changed": true}
			continue
		}
		sb, scrubbedB := scrub(bv)
		sa, scrubbedA := scrub(av)
		change := map[string]any{"before": sb, "after": sa}
		if scrubbedB || scrubbedA {
			change["changed"] = true
		}
		out[p] = change
	}
	res, err := appendCanonical(nil, out)
	if err != nil {
		return nil, fmt.Errorf("audit diff: %w", err)
	}
	return res, nil
}

// jsonValue is v's JSON form decoded generically (numbers as json.Number).
func jsonValue(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(raw)
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	return x, nil
}

// pathSep joins the names of nested fields.
const pathSep = "."

// flatten writes the leaves of v into out keyed by dotted path. A non-empty
// object is descended into; anything else (scalars, arrays, null) is a
// leaf. A top-level non-object is the leaf "value".
func flatten(path []string, v any, out map[string]any) {
	if m, ok := v.(map[string]any); ok && (len(m) > 0 || len(path) == 0) {
		for k, x := range m {
			flatten(append(path[:len(path):len(path)], k), x, out)
		}
		return
	}
	if len(path) == 0 {
		if v != nil {
			out["value"] = v
		}
		return
	}
	out[strings.Join(path, pathSep)] = v
}

func secretPath(p string) bool {
	for _, seg := range strings.Split(p, pathSep) {
		if IsSecretField(seg) {
			return true
		}
	}
	return false
}

func redact(v any) any {
	if v == nil {
		return nil
	}
	return Redacted
}

// scrub returns v with the values of secret fields in nested objects
// (inside arrays) replaced by Redacted, and whether it replaced any.
func scrub(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		changed := false
		for k, e := range x {
			if IsSecretField(k) && e != nil {
				out[k] = Redacted
				changed = true
				continue
			}
			s, c := scrub(e)
			out[k] = s
			changed = changed || c
		}
		return out, changed
	case []any:
		out := make([]any, len(x))
		changed := false
		for i, e := range x {
			s, c := scrub(e)
			out[i] = s
			changed = changed || c
		}
		return out, changed
	default:
		return v, false
	}
}

// CanonicalJSON re-encodes a JSON document deterministically: object keys
// sorted by byte order, no insignificant whitespace, strings escaped one
// way (NUL, which PostgreSQL's jsonb refuses, becomes U+FFFD), and numbers
// written as exact minimal decimals without exponent ("1.50e1" → "15"). It
// is stable across a round trip through jsonb, so a hash over it can be
// recomputed from the stored row.
func CanonicalJSON(raw []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}"), nil
	}
	x, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	out, err := appendCanonical(nil, x)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return out, nil
}

func appendCanonical(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case string:
		return appendString(dst, x), nil
	case json.Number:
		n, err := canonicalNumber(string(x))
		if err != nil {
			return nil, err
		}
		return append(dst, n...), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendCanonical(dst, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendCanonical(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	default:
		return nil, fmt.Errorf("unexpected JSON value of type %T", v)
	}
}

const hexDigits = "0123456789abcdef"

func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == 0 || r == utf8.RuneError:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r == '"':
			dst = append(dst, '\\', '"')
		case r == '\\':
			dst = append(dst, '\\', '\\')
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

// maxExponent bounds the exponents CanonicalJSON expands, so a hostile
// number cannot make it allocate without limit.
const maxExponent = 4096

func canonicalNumber(s string) (string, error) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return "", fmt.Errorf("number %q out of range", s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("invalid number %q", s)
	}
	if r.IsInt() {
		return r.Num().String(), nil
	}
	// A decimal's denominator is 2^a·5^b; max(a, b) digits are exact.
	d := new(big.Int).Set(r.Denom())
	twos := int(d.TrailingZeroBits())
	d.Rsh(d, uint(twos))
	fives := 0
	five, m := big.NewInt(5), new(big.Int)
	for d.Cmp(big.NewInt(1)) > 0 {
		q, rem := new(big.Int).QuoRem(d, five, m)
		if rem.Sign() != 0 {
			return "", fmt.Errorf("number %q is not a decimal", s)
		}
		d = q
		fives++
	}
	return r.FloatString(max(twos, fives)), nil
}
