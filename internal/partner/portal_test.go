package partner

import (
	"slices"
	"testing"
)

// Admins of the partner or the acquirer get Klarna's admin role; everyone
// else who may open the Portal gets the developer role.
func TestPortalRolesFromPartnerDeskRoles(t *testing.T) {
	for _, tc := range []struct {
		roles []string
		want  string
	}{
		{[]string{"merchant-admin"}, PortalRoleAdmin},
		{[]string{"merchant-finance", "acquirer-admin"}, PortalRoleAdmin},
		{[]string{"acquirer-support"}, PortalRoleDeveloper},
		{nil, PortalRoleDeveloper},
	} {
		if got := PortalRoles(tc.roles); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%v → %v, want %s", tc.roles, got, tc.want)
		}
	}
}
