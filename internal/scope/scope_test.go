package scope_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func TestZeroValueMatchesNothing(t *testing.T) {
	var s scope.Scope
	if !s.IsEmpty() || s.IsAll() || s.Contains(uuid.New()) {
		t.Fatalf("zero scope = %v, want the empty scope", s)
	}
	if got := scope.Tenants(); !got.IsEmpty() {
		t.Fatalf("Tenants() = %v, want empty", got)
	}
	if got := scope.Tenants(uuid.Nil); !got.IsEmpty() {
		t.Fatalf("Tenants(nil uuid) = %v, want empty", got)
	}
}

func TestNarrowNeverWidens(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	own := scope.Tenants(a)
	if got := own.Narrow(b); !got.IsEmpty() {
		t.Errorf("narrowing own scope to another tenant = %v, want empty", got)
	}
	if got := own.Narrow(a); !got.Contains(a) || got.Contains(b) {
		t.Errorf("narrowing own scope to itself = %v", got)
	}
	if got := scope.All().Narrow(b); got.IsAll() || !got.Contains(b) || got.Contains(a) {
		t.Errorf("narrowing all to b = %v, want exactly b", got)
	}
}

func TestTenantsDedupes(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	s := scope.Tenants(b, a, b)
	if len(s.IDs()) != 2 || !s.Contains(a) || !s.Contains(b) || s.Contains(uuid.New()) {
		t.Fatalf("Tenants(b, a, b) = %v", s)
	}
	if scope.All().IDs() != nil || !scope.All().Contains(a) {
		t.Fatal("All must contain every tenant and list none")
	}
}
