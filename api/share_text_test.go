package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
)

// TestEventsShareText: the ready-to-post text of a ticket campaign's link
// (#billetsolidaire features events and their venues) speaks of tickets,
// not of certificates.
func TestEventsShareText(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	for _, target := range []string{"", "/e/evt_cabaret-des-voisins", "/m/theatre-du-faubourg"} {
		st, out, _ := s.do("POST", "/api/v1/organiser/campaigns/billetsolidaire/links", `{"channel": "sms", "target": "`+target+`"}`, org)
		var link struct{ Text string }
		json.Unmarshal([]byte(out), &link)
		if st != 201 || !strings.Contains(link.Text, "billet solidaire") || strings.Contains(link.Text, "bon") {
			t.Errorf("target %q: %d %s", target, st, link.Text)
		}
	}
}
