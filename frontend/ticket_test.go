package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

const cabaret = "/e/evt_cabaret-des-voisins"

// buyTickets buys and pays (with the demo provider) quantity seats of the
// cabaret's general admission, and returns the order and its tickets.
func (s *site) buyTickets(t *testing.T, quantity int, solidarity int64) (bought, []*market.Ticket) {
	t.Helper()
	ctx := context.Background()
	items := []market.ItemInput{{Kind: market.KindTicket, Event: "evt_cabaret-des-voisins",
		TicketType: "tty_cabaret-des-voisins-general", Quantity: quantity}}
	if solidarity > 0 {
		items = append(items, market.ItemInput{Kind: market.KindSolidarityTicket, Event: "evt_cabaret-des-voisins", Amount: solidarity})
	}
	res, err := s.checkout.Create(ctx, market.CheckoutInput{BuyerEmail: "awa@example.org", BuyerName: "Awa Diallo", Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.checkout.CompleteDemo(ctx, res.Order.SessionID); err != nil {
		t.Fatal(err)
	}
	tickets, err := s.db.OrderTickets(ctx, res.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	return bought{id: res.Order.ID, token: res.AccessToken, session: res.Order.SessionID}, tickets
}

// events is the holders' service on the site's database, as cmd wires it.
func (s *site) events() *market.CancellationService {
	return &market.CancellationService{Store: s.db, Payments: s.checkout.Payments}
}

func TestTicketForm(t *testing.T) {
	s := newSite(t, nil, false)
	general := "qty.tty_cabaret-des-voisins-general"

	t.Run("the event page sells tickets", func(t *testing.T) {
		res, body := s.send(t, "GET", cabaret, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		must(t, body, `action="/e/evt_cabaret-des-voisins/billets"`, `name="`+general+`"`, `<option value="10">10</option>`,
			"Admission générale<span class=\"visually-hidden\"> — nombre de billets</span>", `id="montant-solidaire"`,
			"à partir de 10,00\u00a0$", "Passer au paiement", "remboursement (toujours possible)", "data-tickets-total",
			`<script type="module" src="/static/holder.js?v=`)
		mustNot(t, body, "L&#39;achat en ligne ouvre bientôt")
	})

	t.Run("two tickets and a solidarity ticket, without JavaScript", func(t *testing.T) {
		res, _ := s.send(t, "POST", cabaret+"/billets", url.Values{general: {"2"}, "qty.tty_cabaret-des-voisins-reduit": {"0"},
			"solidarity_amount": {"15,50"}, "email": {"awa@example.org"}, "name": {"Awa"}}, nil)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), s.base+"/demo/checkout/") {
			t.Fatalf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("nothing chosen", func(t *testing.T) {
		res, body := s.send(t, "POST", cabaret+"/billets", url.Values{general: {"0"}, "email": {"awa@example.org"}}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "Choisissez au moins un billet", "<title>Erreur\u00a0:")
	})

	t.Run("a solidarity ticket under the minimum, and a wrong email", func(t *testing.T) {
		res, body := s.send(t, "POST", cabaret+"/billets", url.Values{general: {"1"}, "solidarity_amount": {"5"}, "email": {"awa@example.org"}}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		must(t, body, `id="montant-solidaire" name="solidarity_amount" type="text" value="5"`, `aria-invalid="true"`,
			"Choisissez un montant d&#39;au moins 10,00\u00a0$", `<option value="1" selected>1</option>`, "28,00\u00a0$")
		_, body = s.send(t, "POST", cabaret+"/billets", url.Values{general: {"1"}, "email": {"awa@"}}, nil)
		must(t, body, `<a href="#courriel">Saisissez votre adresse courriel`)
	})

	t.Run("more seats than are left", func(t *testing.T) {
		_, body := s.send(t, "POST", "/e/evt_les-heritieres/billets", url.Values{"qty.tty_les-heritieres-regulier": {"11"}, "email": {"awa@example.org"}}, nil)
		must(t, body, "Choisissez au moins un billet") // a forged quantity is none
	})

	t.Run("refused from another site", func(t *testing.T) {
		res, _ := s.send(t, "POST", cabaret+"/billets", url.Values{general: {"1"}, "email": {"awa@example.org"}},
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", res.StatusCode)
		}
	})

	t.Run("a cancelled event sells nothing", func(t *testing.T) {
		res, body := s.send(t, "GET", "/e/evt_nuit-de-la-poesie", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		mustNot(t, body, "data-tickets", "Passer au paiement")
		res, _ = s.send(t, "POST", "/e/evt_nuit-de-la-poesie/billets", url.Values{"email": {"awa@example.org"}}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", res.StatusCode)
		}
	})

	t.Run("a postponed event still sells, marked", func(t *testing.T) {
		_, body := s.send(t, "GET", "/e/evt_veillee-de-contes", nil, nil)
		must(t, body, "badge-postponed", "data-tickets")
	})

	t.Run("the form's address answers GET with the event", func(t *testing.T) {
		res, _ := s.send(t, "GET", cabaret+"/billets?lang=en", nil, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != cabaret+"?lang=en#billets" {
			t.Errorf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestOrderWithTickets(t *testing.T) {
	s := newSite(t, nil, false)
	b, tickets := s.buyTickets(t, 2, 2000)
	if len(tickets) != 3 {
		t.Fatalf("%d tickets, want 3", len(tickets))
	}
	res, body := s.send(t, "GET", "/commande/"+b.id+"?token="+b.token, nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	private(t, res)
	must(t, body, "Merci\u202f! Vos billets sont prêts", "Un courriel vous a été envoyé à awa@example.org avec le lien de chaque billet",
		"Admission générale · 28,00\u00a0$", "Billet solidaire", "Merci\u202f! Votre billet solidaire de 20,00\u00a0$ soutient Théâtre du Faubourg.")
	for _, tk := range tickets {
		must(t, body, `href="/billet/`+tk.Code+`"`)
		if tk.Kind == market.KindTicket {
			must(t, body, `src="/api/v1/tickets/`+tk.Code+`/qr.png"`, market.GroupCode(tk.Code))
		}
	}
	mustNot(t, body, "Votre bon est prêt")
}

func TestTicketPage(t *testing.T) {
	s := newSite(t, nil, false)
	_, tickets := s.buyTickets(t, 2, 0)
	code := tickets[0].Code
	page := "/billet/" + code

	t.Run("a valid ticket, its QR code and code", func(t *testing.T) {
		res, body := s.send(t, "GET", page, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "<h1>Le Cabaret des voisins", `<meta name="robots" content="noindex">`, `src="/api/v1/tickets/`+code+`/qr.png"`,
			"Code QR du billet pour Le Cabaret des voisins", market.GroupCode(code), "Awa Diallo", "Valide", "28,00\u00a0$")
		mustNot(t, body, "Que voulez-vous faire", "data-choice-form")
	})

	t.Run("the QR code's upper-case address and a typed code", func(t *testing.T) {
		for _, path := range []string{"/T/" + strings.ToUpper(code), "/billet/" + strings.ToLower(market.GroupCode(code))} {
			res, body := s.send(t, "GET", path, nil, nil)
			if res.StatusCode != 200 {
				t.Errorf("%s: status %d", path, res.StatusCode)
			}
			must(t, body, market.GroupCode(code))
		}
	})

	t.Run("an unknown code", func(t *testing.T) {
		res, body := s.send(t, "GET", "/billet/AAAABBBBCCCCDDDDEEEE", nil, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", res.StatusCode)
		}
		must(t, body, "Billet introuvable")
	})

	if _, err := s.events().Cancel(context.Background(), "evt_cabaret-des-voisins", market.CancelOptions{
		Reason: "L'artiste est malade.", Options: []market.Choice{market.ChoiceCredit, market.ChoiceDonate},
		CreditBonusPercent: 10, Deadline: time.Now().Add(10 * 24 * time.Hour)}, false); err != nil {
		t.Fatal(err)
	}

	t.Run("cancelled: the one-tap choices, their confirmations, the deadline", func(t *testing.T) {
		_, body := s.send(t, "GET", page, nil, nil)
		must(t, body, "badge-cancelled", "L&#39;artiste est malade.", "Que voulez-vous faire de votre billet",
			"Me faire rembourser", "Recevoir un crédit (&#43;10\u00a0%)", "Faire un don à la salle", "Répondez d&#39;ici le ",
			"Sans réponse d&#39;ici là, vous serez remboursé", "Le remboursement reste possible en tout temps",
			"Un bon d&#39;achat de 30,80\u00a0$ à utiliser chez Théâtre du Faubourg.",
			"Un don est définitif", `<dialog class="confirm-dialog"`, "Événement annulé")
		mustNot(t, body, "Garder mon billet", `/qr.png"`)
	})

	t.Run("a choice from another site is refused", func(t *testing.T) {
		res, _ := s.send(t, "POST", page, url.Values{"choice": {"credit"}, "confirm": {"1"}},
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", res.StatusCode)
		}
	})

	t.Run("without JavaScript: the confirmation, then the choice", func(t *testing.T) {
		res, body := s.send(t, "POST", page, url.Values{"choice": {"credit"}}, nil)
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		private(t, res)
		must(t, body, `<h3 id="confirmation-titre">Recevoir un crédit de 30,80`, `name="confirm" value="1"`, "Confirmer mon choix",
			"le prix de votre billet, 28,00\u00a0$, plus 2,80\u00a0$ de bonus")
		res, _ = s.send(t, "POST", page, url.Values{"choice": {"credit"}, "confirm": {"1"}}, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, body = s.send(t, "GET", page, nil, nil)
		must(t, body, "Votre crédit est prêt", "Voir mon bon d&#39;achat", "Converti en crédit")
		v := regexp.MustCompile(`href="/v/([0-9A-Z]+)"`).FindStringSubmatch(body)
		if v == nil {
			t.Fatal("no link to the credit voucher")
		}
		_, body = s.send(t, "GET", "/v/"+v[1], nil, nil)
		must(t, body, "30,80\u00a0$", "Théâtre du Faubourg")
		mustNot(t, body, "Que voulez-vous faire", "data-choice-form")
	})

	t.Run("a second, different choice is refused", func(t *testing.T) {
		res, body := s.send(t, "POST", page, url.Values{"choice": {"donate"}, "confirm": {"1"}}, nil)
		if res.StatusCode != http.StatusConflict {
			t.Errorf("status %d", res.StatusCode)
		}
		must(t, body, "Un choix a déjà été fait pour ce billet", "Votre crédit est prêt")
	})

	t.Run("a choice not offered", func(t *testing.T) {
		other := "/billet/" + tickets[1].Code
		for _, form := range []url.Values{{"choice": {"keep"}}, {"choice": {"keep"}, "confirm": {"1"}}, {"choice": {"<script>"}}} {
			res, body := s.send(t, "POST", other, form, nil)
			if res.StatusCode != http.StatusConflict {
				t.Errorf("%v: status %d", form, res.StatusCode)
			}
			must(t, body, "Ce choix n&#39;est pas, ou plus, proposé")
			mustNot(t, body, "<script>")
		}
	})

	t.Run("a donation, and the event page's solidarity total", func(t *testing.T) {
		res, _ := s.send(t, "POST", "/billet/"+tickets[1].Code, url.Values{"choice": {"donate"}, "confirm": {"1"}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		_, body := s.send(t, "GET", "/billet/"+tickets[1].Code, nil, nil)
		must(t, body, "Merci pour votre don\u202f!", "Vos 28,00\u00a0$ restent au Théâtre du Faubourg")
		_, body = s.send(t, "GET", cabaret, nil, nil)
		must(t, body, `<strong>56,00`+"\u00a0$</strong> laissés à la salle par solidarité")
	})

	t.Run("in English", func(t *testing.T) {
		_, body := s.send(t, "GET", page, nil, map[string]string{"Accept-Language": "en"})
		must(t, body, `<html lang="en">`, "Your credit is ready", "See my gift certificate")
	})
}

func TestTicketPostponed(t *testing.T) {
	s := newSite(t, nil, false)
	_, tickets := s.buyTickets(t, 1, 0)
	if _, err := s.events().Postpone(context.Background(), "evt_cabaret-des-voisins", market.CancelOptions{
		StartsAt: time.Now().Add(60 * 24 * time.Hour), Deadline: time.Now().Add(20 * 24 * time.Hour)}, false); err != nil {
		t.Fatal(err)
	}
	page := "/billet/" + tickets[0].Code
	_, body := s.send(t, "GET", page, nil, nil)
	must(t, body, "badge-postponed", "Votre billet reste valable pour la nouvelle date", "Garder mon billet",
		"Me faire rembourser", "Sans réponse, vous gardez simplement votre billet", `/qr.png"`)
	mustNot(t, body, "Le remboursement reste possible en tout temps")
	res, _ := s.send(t, "POST", page, url.Values{"choice": {"keep"}, "confirm": {"1"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	_, body = s.send(t, "GET", page, nil, nil)
	must(t, body, "Vous gardez votre billet", `/qr.png"`)
	mustNot(t, body, "Me faire rembourser")
}

// TestTicketBlocked checks the holder's page of a ticket whose payment is
// contested (blocked, without its QR code), then lost (cancelled).
func TestTicketBlocked(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	b, tickets := s.buyTickets(t, 1, 0)
	page := "/billet/" + tickets[0].Code
	if out, err := s.db.OpenDispute(ctx, "evt_dispute_"+b.id, "demo_pi_"+b.id, &market.Dispute{ID: "dp_" + b.id, Status: "needs_response"},
		time.Now()); err != nil || out != market.OutcomeDisputeOpened {
		t.Fatalf("dispute: %s %v", out, err)
	}
	_, body := s.send(t, "GET", page, nil, nil)
	must(t, body, "Ce billet est bloqué\u00a0: son paiement est contesté auprès de la banque. Il ne peut pas être utilisé pour l&#39;instant.",
		"<dd>Bloqué (paiement contesté)</dd>", market.GroupCode(tickets[0].Code))
	mustNot(t, body, `/qr.png"`, "<dd>Valide</dd>", "Que voulez-vous faire")
	_, body = s.send(t, "GET", page, nil, map[string]string{"Accept-Language": "en"})
	must(t, body, "This ticket is blocked: its payment is disputed with the bank.", "<dd>Blocked (payment disputed)</dd>")

	if out, err := s.db.CloseDispute(ctx, "evt_dispute_lost_"+b.id, "demo_pi_"+b.id, &market.Dispute{ID: "dp_" + b.id, Status: "lost"},
		time.Now()); err != nil || out != market.OutcomeDisputeLost {
		t.Fatalf("dispute lost: %s %v", out, err)
	}
	_, body = s.send(t, "GET", page, nil, nil)
	must(t, body, "Ce billet est annulé. Son paiement a été remboursé ou repris par la banque", "<dd>Annulé</dd>")
	mustNot(t, body, `/qr.png"`, "bloqué")
}

// TestTicketUsedAtTheDoor checks that a ticket checked in before its event
// was cancelled offers no choice, says why, and that a choice posted
// anyway (a page shown before the check-in) is refused with the reason.
func TestTicketUsedAtTheDoor(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	_, tickets := s.buyTickets(t, 2, 0)
	used, other := tickets[0], tickets[1]
	if _, err := s.db.CheckIn(ctx, used.MerchantID, used.Code, "Isabelle Lachance", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.events().Cancel(ctx, "evt_cabaret-des-voisins", market.CancelOptions{Reason: "Panne de courant.",
		Options: []market.Choice{market.ChoiceCredit}, Deadline: time.Now().Add(10 * 24 * time.Hour)}, false); err != nil {
		t.Fatal(err)
	}
	const why = "Ce billet a servi à l&#39;entrée\u00a0: il ne peut être ni remboursé, ni converti en crédit, ni donné."
	page := "/billet/" + used.Code
	_, body := s.send(t, "GET", page, nil, nil)
	must(t, body, "data-ticket-notice>"+why, "Utilisé le ", `data-error-checkedin="Ce billet a servi`)
	mustNot(t, body, "Que voulez-vous faire", "data-choice-form", `role="alert"`)
	_, body = s.send(t, "GET", "/billet/"+other.Code, nil, nil)
	must(t, body, "Que voulez-vous faire")
	mustNot(t, body, "data-ticket-notice")

	for _, form := range []url.Values{{"choice": {"refund"}}, {"choice": {"refund"}, "confirm": {"1"}}, {"choice": {"credit"}, "confirm": {"1"}}} {
		res, body := s.send(t, "POST", page, form, nil)
		if res.StatusCode != http.StatusConflict {
			t.Errorf("%v: status %d", form, res.StatusCode)
		}
		must(t, body, `role="alert" tabindex="-1" data-ticket-error>`+why)
		if n := strings.Count(body, "il ne peut être ni remboursé"); n != 2 { // the alert and the island's copy
			t.Errorf("%v: the reason is said %d times", form, n)
		}
	}
	_, body = s.send(t, "POST", page, url.Values{"choice": {"refund"}, "confirm": {"1"}}, map[string]string{"Accept-Language": "en"})
	must(t, body, "This ticket was used at the door: it cannot be refunded, turned into a credit or donated.")
}

// unescape reads a page's text as a person sees it.
func unescape(s string) string { return html.UnescapeString(s) }
