package main

import "testing"

func TestInlinePutsTextArgumentsIntoTheCopyQuery(t *testing.T) {
	q, err := inline(`SELECT 1 FROM settlement_lines l WHERE l.payment_reference = ? AND l.order_id = ? ORDER BY l.seq`, []any{"BENCH00000000", "o'1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT 1 FROM settlement_lines l WHERE l.payment_reference = 'BENCH00000000' AND l.order_id = 'o''1' ORDER BY l.seq`; q != want {
		t.Fatalf("got  %s\nwant %s", q, want)
	}
	if _, err := inline(`SELECT ? , ?`, []any{"a"}); err == nil {
		t.Fatal("two placeholders for one argument were accepted")
	}
	if _, err := inline(`SELECT ?`, []any{42}); err == nil {
		t.Fatal("a number was inlined as if it were text")
	}
}
