package partner

import (
	"encoding/json"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func brandSnapshot(t *testing.T, brands map[string]string) Snapshot {
	t.Helper()
	var s Snapshot
	for id, logo := range brands {
		b, err := json.Marshal(klarna.Brand{BrandID: id, Element: &klarna.BrandElement{LogoURL: logo}})
		if err != nil {
			t.Fatal(err)
		}
		s.Resources = append(s.Resources, Resource{Kind: KindBrand, KlarnaID: id, Data: b})
	}
	return s
}

func TestBrandWarningResolvedOnlyWhenTheBrandChangedOrWentAway(t *testing.T) {
	bad := "https://cdn.shop.invalid/logo.png"
	for _, tc := range []struct {
		name   string
		was    string            // logo recorded with the warning
		brands map[string]string // brand id → logo now
		kept   bool
		value  string
	}{
		{"KeptWhileTheLogoIsTheSame", bad, map[string]string{"b1": bad}, true, bad},
		{"ResolvedWhenTheLogoChanged", bad, map[string]string{"b1": "https://shop.example/logo.png"}, false, ""},
		{"ResolvedWhenTheBrandIsGone", bad, map[string]string{"b2": bad}, false, ""},
		{"KeptAndCompletedWhenRecordedBeforeTheBrandWasRead", "", map[string]string{"b1": bad}, true, bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := map[string]map[string]string{WarningBrandDataIncomplete: {"b1": tc.was}}
			got := resolveWarnings(prev, brandSnapshot(t, tc.brands))
			v, kept := got[WarningBrandDataIncomplete]["b1"]
			if kept != tc.kept || v != tc.value {
				t.Fatalf("after the read: %v, want kept=%v value %q", got, tc.kept, tc.value)
			}
		})
	}
}

func TestCheckFilterNamesEveryBadFieldAtOnce(t *testing.T) {
	err := CheckFilter(Filter{State: "x", ProductStatus: "y", Stage: "z", Sort: "size"})
	if err == nil {
		t.Fatal("bad filters accepted")
	}
	for _, f := range []string{"state", "product_status", "onboarding", "sort"} {
		if !containsField(err, f) {
			t.Errorf("%s not named in %v", f, err)
		}
	}
	if err := CheckFilter(Filter{State: "OPERATIONAL", ProductStatus: "NONE", Stage: StageStuck, Sort: "updated_at", Desc: true}); err != nil {
		t.Fatalf("good filters refused: %v", err)
	}
}

func containsField(err error, field string) bool {
	ae := apperr.As(err)
	if ae == nil {
		return false
	}
	for _, f := range ae.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
