package keyset

import "time"

// EncodeOrdinal is the cursor of a list in ascending integer order (a
// file's rows by line): the last position of the page.
func EncodeOrdinal(n int64) string { return Encode(Cursor{At: time.Unix(0, 0).UTC(), ID: n}) }

// DecodeOrdinal parses a cursor made by EncodeOrdinal; anything else is a
// field error.
func DecodeOrdinal(s string) (int64, error) {
	c, err := Decode(s)
	return c.ID, err
}
