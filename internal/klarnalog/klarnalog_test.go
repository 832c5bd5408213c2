package klarnalog_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
)

// A filter with several bad fields is refused with all of them at once;
// a good one passes.
func TestValidate_ReportsEveryBadField(t *testing.T) {
	now := time.Now()
	err := klarnalog.Validate(klarnalog.Filter{Operation: "bogus", Outcome: "meh", ObjectID: "x", Status: 42, From: now, To: now.Add(-time.Hour), Search: strings.Repeat("q", 300)})
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		t.Fatalf("err = %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	slices.Sort(fields)
	if want := []string{"object_kind", "operation", "outcome", "q", "status", "to"}; !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	if err := klarnalog.Validate(klarnalog.Filter{Operation: "update_brand", Outcome: klarnalog.OutcomeNetwork, ObjectKind: "brand", ObjectID: "b-1", Status: 503}); err != nil {
		t.Fatalf("a good filter: %v", err)
	}
	if got := klarnalog.OutcomeValues(klarnalog.OutcomeNetwork); !slices.Equal(got, []string{"network_error", "canceled"}) {
		t.Fatalf("network = %v", got)
	}
}
