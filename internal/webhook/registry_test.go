package webhook

import (
	"context"
	"testing"
)

func TestRegistryPicksTheMostSpecificHandler(t *testing.T) {
	var r Registry
	got := ""
	mk := func(name string) Handler {
		return func(context.Context, Delivery) error { got = name; return nil }
	}
	r.Handle("partner.account.*", true, mk("account"))
	r.Handle("partner.account.product.payment.state-change.*", true, mk("product"))
	r.Handle("partner.account.state-change.operational", true, mk("exact"))
	for typ, want := range map[string]string{
		"partner.account.product.payment.state-change.disabled": "product",
		"partner.account.state-change.operational":              "exact",
		"partner.account.brand.data-incomplete":                 "account",
	} {
		rt, ok := r.lookup(typ)
		if !ok {
			t.Fatalf("%s: no handler", typ)
		}
		_ = rt.handler(context.Background(), Delivery{})
		if got != want {
			t.Errorf("%s went to %s, want %s", typ, got, want)
		}
	}
	if _, ok := r.lookup("settlement.report.created"); ok {
		t.Error("an unregistered type found a handler")
	}
}
