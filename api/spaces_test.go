package api_test

import (
	"encoding/json"
	"testing"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
)

// TestMeSpaces checks what GET /api/v1/auth/me says of each demo role,
// from which the sign-in page sends each person to their space: the
// organiser flag (an admin's reach over everything does not count), and
// the merchant's review on the payments status, where the dashboard's
// first steps start.
func TestMeSpaces(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	for _, sc := range []struct {
		name, email      string
		admin, organiser bool
	}{
		{"Admin", demo.AdminEmail, true, false},
		{"Owner", demo.BoulangerieEmail, false, false},
		{"Organiser", demo.OrganisateurEmail, false, true},
	} {
		t.Run(sc.name, func(t *testing.T) {
			st, out, _ := s.do("GET", "/api/v1/auth/me", "", s.token(sc.email))
			var me struct {
				User struct{ Admin, Organiser bool }
			}
			if st != 200 || json.Unmarshal([]byte(out), &me) != nil {
				t.Fatalf("%d %s", st, out)
			}
			if me.User.Admin != sc.admin || me.User.Organiser != sc.organiser {
				t.Fatalf("admin %v organiser %v, want %v %v: %s", me.User.Admin, me.User.Organiser, sc.admin, sc.organiser, out)
			}
		})
	}
	t.Run("MerchantStatus", func(t *testing.T) {
		st, out, _ := s.do("GET", "/api/v1/merchant/payments", "", s.token(demo.BoulangerieEmail))
		var p struct {
			MerchantStatus string `json:"merchant_status"`
		}
		if st != 200 || json.Unmarshal([]byte(out), &p) != nil || p.MerchantStatus != "approved" {
			t.Fatalf("%d %s", st, out)
		}
	})
}
