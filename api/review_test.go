package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
)

// TestUnapprovedMerchants: an applicant not (or no longer) approved can
// prepare its page and drafts, but cannot connect payments, publish an
// event, run a campaign or have anything sold; an admin refuses with a
// mailed reason and closes a merchant, whose vouchers still redeem.
func TestUnapprovedMerchants(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testUnapprovedMerchants(t, engine) })
	}
}

func testUnapprovedMerchants(t *testing.T, engine string) {
	s := newShop(t, engine, false, api.Limits{})
	app := `{"business": {"name": "Café des Arts", "category": "cafe", "city": "Montréal", "address": "1 rue X",
		"registration": "1171234567", "currency": "cad", "summary": "Un café"},
		"owner": {"name": "Zoé", "email": "zoe@example.org", "password": "mot-de-passe-zoe"}}`
	if st, out, _ := s.do("POST", "/api/v1/merchant-applications", app, nil); st != 201 {
		t.Fatalf("apply: %d %s", st, out)
	}
	zoe := s.token("zoe@example.org", "mot-de-passe-zoe")
	admin := s.token(demo.AdminEmail)
	future := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	event := func(draft bool) string {
		return fmt.Sprintf(`{"merchant": "cafe-des-arts", "title": "Soirée jazz", "starts_at": %q, "draft": %t,
			"ticket_types": [{"name": "Régulier", "price": 2000, "capacity": 30}]}`, future, draft)
	}
	forbidden := func(t *testing.T, st int, out, code string) {
		t.Helper()
		if st != 403 || !strings.Contains(out, `"code":"`+code+`"`) {
			t.Fatalf("want 403 %s, got %d %s", code, st, out)
		}
	}

	var draftID string
	t.Run("ErrMerchantPending", func(t *testing.T) {
		st, out, _ := s.do("POST", "/api/v1/merchant/payments/onboarding", "", zoe)
		forbidden(t, st, out, market.EMerchantPending)
		if !strings.Contains(out, "attend encore l'approbation") {
			t.Fatalf("message: %s", out)
		}
		st, out, _ = s.do("POST", "/api/v1/organiser/events", event(false), zoe)
		forbidden(t, st, out, market.EMerchantPending)
		st, out, _ = s.do("POST", "/api/v1/organiser/events", event(true), zoe)
		if st != 201 {
			t.Fatalf("a draft is prepared: %d %s", st, out)
		}
		draftID = strings.Split(strings.Split(out, `"id":"`)[1], `"`)[0]
		st, out, _ = s.do("PATCH", "/api/v1/organiser/events/"+draftID, `{"draft": false}`, zoe)
		forbidden(t, st, out, market.EMerchantPending)
		st, out, _ = s.do("POST", "/api/v1/organiser/campaigns", `{"title": "Mon café", "hashtags": ["cafe"], "currency": "cad",
			"merchants": ["cafe-des-arts"]}`, zoe)
		forbidden(t, st, out, market.EMerchantPending)
		st, out, _ = s.do("POST", "/api/v1/merchant/programmes/"+demo.ProgrammeSlug+"/join", "", zoe)
		forbidden(t, st, out, market.EMerchantPending)
		// Nor may an approved organiser feature it.
		st, out, _ = s.do("POST", "/api/v1/organiser/campaigns", `{"title": "Cafés", "hashtags": ["cafes"], "currency": "cad",
			"merchants": ["cafe-des-arts"]}`, s.token(demo.OrganisateurEmail))
		forbidden(t, st, out, market.EMerchantPending)
		// Its draft is sold to nobody.
		st, out, _ = s.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": "a@example.org"},
			"items": [{"kind": "solidarity_ticket", "event": %q, "amount": 2000}]}`, draftID), with(nil, "Idempotency-Key", "draft-sale-0000000001"))
		if st != 400 || !strings.Contains(out, market.EEventNotOnSale) {
			t.Fatalf("a draft's ticket sold: %d %s", st, out)
		}
	})

	t.Run("Refuse", func(t *testing.T) {
		if st, out, _ := s.do("POST", "/api/v1/admin/merchants/cafe-des-arts/refuse", `{"reason": "  "}`, admin); st != 400 {
			t.Fatalf("no reason: %d %s", st, out)
		}
		long := fmt.Sprintf(`{"reason": %q}`, strings.Repeat("é", 501))
		if st, out, _ := s.do("POST", "/api/v1/admin/merchants/cafe-des-arts/refuse", long, admin); st != 400 {
			t.Fatalf("reason too long: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/admin/merchants/cafe-des-arts/refuse", `{"reason": "x"}`, zoe); st != 404 {
			t.Fatalf("refused by its owner: %d", st)
		}
		reason := "Numéro d'entreprise introuvable au registre."
		st, out, _ := s.do("POST", "/api/v1/admin/merchants/cafe-des-arts/refuse", fmt.Sprintf(`{"reason": %q}`, reason), admin)
		if st != 200 || !strings.Contains(out, `"status":"refused"`) {
			t.Fatalf("refuse: %d %s", st, out)
		}
		mails, _ := s.db.Mails(context.Background(), "", 50)
		var sent bool
		for _, m := range mails {
			if m.To == "zoe@example.org" && strings.Contains(m.Text, reason) && strings.Contains(m.Subject, "Café des Arts") &&
				strings.Index(m.Text, "Motif") < strings.Index(m.Text, "Reason") {
				sent = true
			}
		}
		if !sent {
			t.Fatalf("no refusal mail with the reason in %d mails", len(mails))
		}
		st, out, _ = s.do("GET", "/api/v1/admin/merchants?status=refused", "", admin)
		if st != 200 || !strings.Contains(out, "cafe-des-arts") || !strings.Contains(out, reason) {
			t.Fatalf("refused list: %d %s", st, out)
		}
		if _, out, _ := s.do("GET", "/api/v1/admin/merchants?status=pending", "", admin); strings.Contains(out, "cafe-des-arts") {
			t.Fatalf("still pending: %s", out)
		}
		st, out, _ = s.do("POST", "/api/v1/merchant/payments/onboarding", "", zoe)
		forbidden(t, st, out, market.EMerchantRefused)
		if !strings.Contains(out, reason) {
			t.Fatalf("the refusal does not say why: %s", out)
		}
		st, out, _ = s.do("POST", "/api/v1/organiser/events", event(false), zoe)
		forbidden(t, st, out, market.EMerchantRefused)
		if st, out, _ := s.do("POST", "/api/v1/admin/merchants/boulangerie-du-quartier/refuse", `{"reason": "non"}`, admin); st != 409 {
			t.Fatalf("an approved merchant refused: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/admin/merchants/nope/refuse", `{"reason": "non"}`, admin); st != 404 {
			t.Fatalf("unknown merchant: %d", st)
		}
	})

	t.Run("Close", func(t *testing.T) {
		code := s.paidVoucher("boulangerie-du-quartier", 5000)
		owner := s.token(demo.BoulangerieEmail)
		st, out, _ := s.do("POST", "/api/v1/admin/merchants/boulangerie-du-quartier/close", "", admin)
		if st != 200 || !strings.Contains(out, `"status":"closed"`) {
			t.Fatalf("close: %d %s", st, out)
		}
		if st, _, _ := s.do("GET", "/api/v1/merchants/boulangerie-du-quartier", "", nil); st != 404 {
			t.Fatalf("a closed merchant's page: %d", st)
		}
		if _, out, _ := s.do("GET", "/api/v1/merchants?q=boulangerie&limit=100", "", nil); strings.Contains(out, "boulangerie-du-quartier") {
			t.Fatalf("a closed merchant in the directory: %s", out)
		}
		if _, out, _ := s.do("GET", "/api/v1/admin/merchants?status=closed", "", admin); !strings.Contains(out, "boulangerie-du-quartier") {
			t.Fatalf("closed list: %s", out)
		}
		st, out, _ = s.do("POST", "/api/v1/checkout", `{"buyer": {"email": "a@example.org"},
			"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 5000}]}`, with(nil, "Idempotency-Key", "closed-sale-000000001"))
		if st != 400 || !strings.Contains(out, "unknown merchant") {
			t.Fatalf("a closed merchant sells: %d %s", st, out)
		}
		st, out, _ = s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", `{"amount": 1200}`, with(owner, "Idempotency-Key", "closed-redeem-0000001"))
		if st != 201 || !strings.Contains(out, `"balance_after"`) {
			t.Fatalf("a closed merchant's voucher at its till: %d %s", st, out)
		}
		st, out, _ = s.do("POST", "/api/v1/organiser/campaigns", `{"title": "Pains", "hashtags": ["pain"], "currency": "cad"}`, owner)
		forbidden(t, st, out, market.EMerchantClosed)
	})

	t.Run("ClosedVenueSellsNoTickets", func(t *testing.T) {
		org := s.token(demo.OrganisateurEmail)
		id, tt := s.newEvent(org, 10)
		if st, out, _ := s.do("POST", "/api/v1/admin/merchants/theatre-du-faubourg/close", "", admin); st != 200 {
			t.Fatalf("close: %d %s", st, out)
		}
		for i, item := range []string{
			fmt.Sprintf(`{"kind": "ticket", "event": %q, "ticket_type": %q, "quantity": 1}`, id, tt),
			fmt.Sprintf(`{"kind": "solidarity_ticket", "event": %q, "amount": 2000}`, id),
		} {
			st, out, _ := s.do("POST", "/api/v1/checkout", `{"buyer": {"email": "a@example.org"}, "items": [`+item+`]}`,
				with(nil, "Idempotency-Key", fmt.Sprintf("closed-venue-000000%d", i)))
			if st != 400 || !strings.Contains(out, market.EEventNotOnSale) {
				t.Fatalf("a closed venue's ticket sold: %d %s", st, out)
			}
		}
		if _, out, _ := s.do("GET", "/api/v1/events?merchant=theatre-du-faubourg", "", nil); strings.Contains(out, id) {
			t.Fatalf("a closed venue's event listed: %s", out)
		}
	})
}

// TestCampaignConsent: a campaign shows only the merchants that agreed
// (the organiser runs them, or their owner accepted) and who runs it; an
// applicant with nothing approved cannot publish one.
func TestCampaignConsent(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			org := s.token(demo.OrganisateurEmail)
			body := `{"title": "Quartier vivant", "hashtags": ["quartiervivant"], "currency": "cad",
				"merchants": ["theatre-du-faubourg", "boulangerie-du-quartier"]}`
			if st, out, _ := s.do("POST", "/api/v1/organiser/campaigns", body, org); st != 201 {
				t.Fatalf("create: %d %s", st, out)
			}
			_, out, _ := s.do("GET", "/api/v1/campaigns/quartier-vivant", "", nil)
			if !strings.Contains(out, "theatre-du-faubourg") || strings.Contains(out, "boulangerie-du-quartier") || !strings.Contains(out, `"run_by":[`) {
				t.Fatalf("before consent: %s", out)
			}
			owner := s.token(demo.BoulangerieEmail)
			st, out, _ := s.do("GET", "/api/v1/merchant/campaigns", "", owner)
			if st != 200 || !strings.Contains(out, `"slug":"quartier-vivant"`) || !strings.Contains(out, `"accepted":false`) {
				t.Fatalf("invitations: %d %s", st, out)
			}
			if st, out, _ := s.do("POST", "/api/v1/merchant/campaigns/quartier-vivant/accept", "", owner); st != 200 {
				t.Fatalf("accept: %d %s", st, out)
			}
			if _, out, _ := s.do("GET", "/api/v1/campaigns/quartier-vivant", "", nil); !strings.Contains(out, "boulangerie-du-quartier") {
				t.Fatalf("after consent: %s", out)
			}
			if st, _, _ := s.do("POST", "/api/v1/merchant/campaigns/billetsolidaire/accept", "", s.token(demo.LibrairieEmail)); st != 404 {
				t.Fatalf("accepting a campaign that does not feature it: %d", st)
			}

			app := `{"business": {"name": "Atelier Nouveau", "category": "cafe", "city": "Montréal", "address": "2 rue Y",
				"registration": "1171234568", "currency": "cad", "summary": "Un atelier"},
				"owner": {"name": "Léa", "email": "lea@example.org", "password": "mot-de-passe-lea"}}`
			if st, out, _ := s.do("POST", "/api/v1/merchant-applications", app, nil); st != 201 {
				t.Fatalf("apply: %d %s", st, out)
			}
			lea := s.token("lea@example.org", "mot-de-passe-lea")
			st, out, _ = s.do("POST", "/api/v1/organiser/campaigns", `{"title": "Sans moi", "hashtags": ["x"], "currency": "cad",
				"merchants": ["theatre-du-faubourg"]}`, lea)
			if st != 403 || !strings.Contains(out, market.EMerchantPending) {
				t.Fatalf("a pending applicant publishes a campaign: %d %s", st, out)
			}
		})
	}
}
