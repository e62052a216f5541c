package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/testenv"
	"github.com/solidaire-app/solidaire/market"
)

// newEvent has the organiser create a published event at the theatre with
// one ticket type of capacity seats at 30,00 $.
func (s *shop) newEvent(org map[string]string, seats int) (id, ticketType string) {
	s.t.Helper()
	body := fmt.Sprintf(`{"merchant": "theatre-du-faubourg", "title": "Soirée test", "summary": "Un essai",
		"starts_at": %q, "solidarity_min": 1000, "ticket_types": [{"name": "Régulier", "price": 3000, "capacity": %d}]}`,
		time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339), seats)
	st, out, _ := s.do("POST", "/api/v1/organiser/events", body, org)
	if st != 201 {
		s.t.Fatalf("create event: %d %s", st, out)
	}
	var e struct {
		ID          string
		TicketTypes []struct{ ID string } `json:"ticket_types"`
	}
	json.Unmarshal([]byte(out), &e)
	return e.ID, e.TicketTypes[0].ID
}

// pay completes a checkout with the demo provider.
func (s *shop) pay(c created) {
	s.t.Helper()
	session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
	if st, out, _ := s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil); st != 200 {
		s.t.Fatalf("complete: %d %s", st, out)
	}
}

// buyTickets buys quantity seats (paid through the demo provider) and
// returns the ticket codes.
func (s *shop) buyTickets(event, ticketType, email string, quantity int) []string {
	s.t.Helper()
	c := s.buy(fmt.Sprintf(`{"buyer": {"email": %q, "name": "Holder"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q, "quantity": %d}]}`,
		email, event, ticketType, quantity))
	session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
	if st, out, _ := s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil); st != 200 {
		s.t.Fatalf("complete: %d %s", st, out)
	}
	_, out, _ := s.do("GET", "/api/v1/orders/"+c.Order.ID+"?token="+c.Order.AccessToken, "", nil)
	var o struct {
		Tickets []struct{ Code string } `json:"tickets"`
	}
	json.Unmarshal([]byte(out), &o)
	var codes []string
	for _, t := range o.Tickets {
		codes = append(codes, t.Code)
	}
	if len(codes) != quantity {
		s.t.Fatalf("%d tickets for %d seats: %s", len(codes), quantity, out)
	}
	return codes
}

func TestTicketsAndCheckIn(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	event, tt := s.newEvent(org, 5)
	codes := s.buyTickets(event, tt, "awa@example.org", 2)
	_, out, _ := s.do("GET", "/api/v1/events/"+event, "", nil)
	if !strings.Contains(out, `"seats_left":3`) {
		t.Fatalf("seats after a sale: %s", out)
	}
	// A solidarity ticket: no seat, at least the minimum.
	if st, out, _ := s.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": "b@example.org"}, "items": [{"kind": "solidarity_ticket", "event": %q, "amount": 500}]}`, event),
		map[string]string{"Idempotency-Key": "k0123456789abcdef-sol1"}); st != 400 || !strings.Contains(out, "items[0].amount") {
		t.Fatalf("solidarity below the minimum: %d %s", st, out)
	}
	s.buy(fmt.Sprintf(`{"buyer": {"email": "b@example.org"}, "items": [{"kind": "solidarity_ticket", "event": %q, "amount": 2500}]}`, event))
	// Mixing sellers is refused.
	if st, _, _ := s.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": "b@example.org"}, "items": [
		{"kind": "ticket", "event": %q, "ticket_type": %q}, {"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 2500}]}`, event, tt),
		map[string]string{"Idempotency-Key": "k0123456789abcdef-mix"}); st != 400 {
		t.Fatalf("mixed sellers: %d", st)
	}

	// Two tills scan the same ticket at once: exactly one lets the holder in.
	owner := s.token(demo.OrganisateurEmail)
	door := s.token(demo.AdminEmail)
	door = with(door, "X-Merchant", "theatre-du-faubourg")
	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	for _, till := range []map[string]string{owner, door} {
		wg.Add(1)
		go func(h map[string]string) {
			defer wg.Done()
			st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+codes[0]+"/checkin", "", h)
			statuses <- st
		}(till)
	}
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for st := range statuses {
		got[st]++
	}
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("two tills at once: %v", got)
	}
	st, out, _ := s.do("POST", "/api/v1/merchant/tickets/"+codes[0]+"/checkin", "", owner)
	if st != 409 || !strings.Contains(out, "already_checked_in") || !strings.Contains(out, "checked_in_by") {
		t.Fatalf("second scan: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+codes[0]+"/checkin/undo", "", owner); st != 200 {
		t.Fatalf("undo: %d", st)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+codes[0]+"/checkin", "", owner); st != 200 {
		t.Fatalf("after undo: %d", st)
	}
	// The scan endpoint knows tickets; another venue does not see them.
	if st, out, _ := s.do("POST", "/api/v1/merchant/scan", fmt.Sprintf(`{"code": %q}`, market.TicketURL(s.base, codes[1])), owner); st != 200 ||
		!strings.Contains(out, `"kind":"ticket"`) {
		t.Fatalf("scan a ticket: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+codes[1]+"/checkin", "", s.token(demo.BoulangerieEmail)); st != 404 {
		t.Fatalf("another merchant checks in: %d", st)
	}
}

// TestOversellingAcrossInstances: 30 buyers for 10 seats, through two
// instances on one PostgreSQL: exactly 10 orders hold seats; when their
// checkouts expire, the seats come back.
func TestOversellingAcrossInstances(t *testing.T) {
	url := testenv.PostgresURL(t)
	a := startShop(t, openSeeded(t, url, true), false, api.Limits{}, cache.NewMemory(), cache.NewMemory())
	b := startShop(t, openSeeded(t, url, false), false, api.Limits{}, cache.NewMemory(), cache.NewMemory())
	event, tt := a.newEvent(a.token(demo.OrganisateurEmail), 10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	var held []created
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			inst := a
			if i%2 == 1 {
				inst = b
			}
			st, out, _ := inst.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": "buyer%d@example.org"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q}]}`, i, event, tt),
				map[string]string{"Idempotency-Key": fmt.Sprintf("k0123456789abcdef-oversell-%d", i)})
			mu.Lock()
			defer mu.Unlock()
			got[st]++
			if st == 201 {
				var c created
				json.Unmarshal([]byte(out), &c)
				held = append(held, c)
			}
		}(i)
	}
	wg.Wait()
	if got[201] != 10 || got[409] != 20 {
		t.Fatalf("statuses %v, want 10 × 201 and 20 × 409 sold_out", got)
	}
	_, out, _ := a.do("GET", "/api/v1/events/"+event, "", nil)
	if !strings.Contains(out, `"seats_left":0`) {
		t.Fatalf("seats: %s", out)
	}
	// The held checkouts lapse: the seats are released.
	for _, c := range held[:4] {
		if _, err := a.db.ExpireOrder(context.Background(), "evt_exp_"+c.Order.ID, c.Order.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ = a.do("GET", "/api/v1/events/"+event, "", nil)
	if !strings.Contains(out, `"seats_left":4`) {
		t.Fatalf("seats after four expiries: %s", out)
	}
	// A seat given back is sold again, on either instance; asking for
	// more than is left is refused before any order is written, with the
	// field the order's transaction would name.
	buy := func(inst *shop, n int, key string) (int, string) {
		st, out, _ := inst.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": "late@example.org"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q, "quantity": %d}]}`, event, tt, n),
			map[string]string{"Idempotency-Key": "k0123456789abcdef-oversell-" + key})
		return st, out
	}
	if st, out := buy(b, 5, "five"); st != 409 || !strings.Contains(out, "sold_out") || !strings.Contains(out, `"items[0].quantity"`) {
		t.Fatalf("five seats of four: %d %s", st, out)
	}
	if st, out := buy(b, 4, "four"); st != 201 {
		t.Fatalf("the four seats given back: %d %s", st, out)
	}
	if st, out := buy(a, 1, "one"); st != 409 || !strings.Contains(out, "sold_out") {
		t.Fatalf("one seat of none: %d %s", st, out)
	}
}

// TestCancellation: an organiser previews and cancels; holders choose a
// refund, a credit with a bonus, a donation; one does not answer and gets
// the default after the deadline; nothing is counted twice.
func TestCancellation(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			org := s.token(demo.OrganisateurEmail)
			event, tt := s.newEvent(org, 20)
			refund := s.buyTickets(event, tt, "r@example.org", 1)[0]
			credit := s.buyTickets(event, tt, "c@example.org", 1)[0]
			donate := s.buyTickets(event, tt, "d@example.org", 2)
			silent := s.buyTickets(event, tt, "s@example.org", 1)[0]
			s.pay(s.buy(fmt.Sprintf(`{"buyer": {"email": "sol@example.org"}, "items": [{"kind": "solidarity_ticket", "event": %q, "amount": 2000}]}`, event)))

			if st, _, _ := s.do("POST", "/api/v1/tickets/"+refund+"/choice", `{"choice": "refund"}`, nil); st != 409 {
				t.Fatalf("choice before any cancellation: %d", st)
			}
			cancel := `{"reason": "L'artiste est malade.", "options": ["refund", "credit", "donate"], "credit_bonus_percent": 10,
				"deadline": %q, "default": "refund", "dry_run": %t}`
			deadline := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
			st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", fmt.Sprintf(cancel, deadline, true), org)
			if st != 200 || !strings.Contains(out, `"holders":4`) || !strings.Contains(out, `"tickets":5`) ||
				!strings.Contains(out, `"amount":{"amount":15000,"currency":"cad"}`) {
				t.Fatalf("preview: %d %s", st, out)
			}
			if _, out, _ := s.do("GET", "/api/v1/events/"+event, "", nil); !strings.Contains(out, `"status":"scheduled"`) {
				t.Fatalf("a dry run changed the event: %s", out)
			}
			if st, _, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", strings.Replace(fmt.Sprintf(cancel, deadline, false), `"default": "refund"`, `"default": "donate"`, 1), org); st != 400 {
				t.Fatalf("a donation imposed by default: %d", st)
			}
			if st, _, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", fmt.Sprintf(cancel, deadline, false), s.token(demo.BoulangerieEmail)); st != 404 {
				t.Fatalf("another merchant cancels: %d", st)
			}
			if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", fmt.Sprintf(cancel, deadline, false), org); st != 200 {
				t.Fatalf("cancel: %d %s", st, out)
			}
			// The bulk notification: every holder once, resumable.
			if n, err := s.events.NotifyHolders(context.Background()); err != nil || n != 6 {
				t.Fatalf("notified %d, %v; want 5 seats + 1 solidarity ticket", n, err)
			}
			if n, _ := s.events.NotifyHolders(context.Background()); n != 0 {
				t.Fatalf("notified again: %d", n)
			}
			mails, _ := s.db.Mails(context.Background(), "", 200)
			told := 0
			for _, m := range mails {
				if strings.HasPrefix(m.Subject, "Annulation") {
					told++
				}
			}
			if told != 4 {
				t.Fatalf("%d cancellation mails, want 4 (one per holder)", told)
			}

			st, out, _ = s.do("GET", "/api/v1/tickets/"+strings.ToLower(market.GroupCode(refund)), "", nil)
			if st != 200 || !strings.Contains(out, `"choices":["refund","credit","donate"]`) || !strings.Contains(out, `"status":"cancelled"`) {
				t.Fatalf("ticket view: %d %s", st, out)
			}
			choose := func(code, choice string) (int, string) {
				st, out, _ := s.do("POST", "/api/v1/tickets/"+code+"/choice", `{"choice": "`+choice+`"}`, nil)
				return st, out
			}
			if st, out := choose(refund, "refund"); st != 200 || !strings.Contains(out, `"status":"refunded"`) {
				t.Fatalf("refund: %d %s", st, out)
			}
			if st, out := choose(refund, "refund"); st != 200 || !strings.Contains(out, `"status":"refunded"`) {
				t.Fatalf("the same choice again: %d %s", st, out)
			}
			if st, out := choose(refund, "donate"); st != 409 || !strings.Contains(out, "choice_already_made") {
				t.Fatalf("another choice: %d %s", st, out)
			}
			st, out = choose(credit, "credit")
			if st != 200 || !strings.Contains(out, `"status":"credited"`) {
				t.Fatalf("credit: %d %s", st, out)
			}
			var cr struct {
				Ticket struct {
					ChoiceRef string `json:"choice_ref"`
				}
			}
			json.Unmarshal([]byte(out), &cr)
			voucherCode := cr.Ticket.ChoiceRef[strings.LastIndex(cr.Ticket.ChoiceRef, "/")+1:]
			v, err := s.db.Voucher(context.Background(), voucherCode)
			if err != nil || v.Balance != 3000 || v.Bonus != 300 || v.MerchantSlug != "theatre-du-faubourg" || v.BonusExpiresAt.IsZero() {
				t.Fatalf("credit voucher %+v, %v", v, err)
			}
			for _, d := range donate {
				if st, out := choose(d, "donate"); st != 200 || !strings.Contains(out, `"status":"donated"`) {
					t.Fatalf("donate: %d %s", st, out)
				}
			}
			// The deadline passes: the silent holder gets the default, a refund.
			s.events.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
			if n, err := s.events.ApplyDefaults(context.Background()); err != nil || n != 1 {
				t.Fatalf("defaults applied: %d, %v", n, err)
			}
			if n, _ := s.events.ApplyDefaults(context.Background()); n != 0 {
				t.Fatalf("defaults applied twice: %d", n)
			}
			if _, out, _ := s.do("GET", "/api/v1/tickets/"+silent, "", nil); !strings.Contains(out, `"status":"refunded"`) {
				t.Fatalf("silent holder: %s", out)
			}
			st, out, _ = s.do("GET", "/api/v1/organiser/events/"+event+"/choices", "", org)
			for _, want := range []string{`"refund":{"amount":{"amount":6000`, `"credit":{"amount":{"amount":3000`, `"donate":{"amount":{"amount":6000`,
				`"pending":0`, `"solidarity_total":{"amount":11000`, `"notified":5`} {
				if !strings.Contains(out, want) {
					t.Fatalf("tally lacks %s: %d %s", want, st, out)
				}
			}
			if _, out, _ := s.do("GET", "/api/v1/events/"+event, "", nil); !strings.Contains(out, `"solidarity_total":{"amount":11000`) {
				t.Fatalf("event page total: %s", out)
			}
			// The credit is spent at the venue, its bonus first.
			till := with(s.token(demo.AdminEmail), "X-Merchant", "theatre-du-faubourg")
			if st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+voucherCode+"/redemptions", `{"amount": 3400}`,
				with(till, "Idempotency-Key", "k0123456789abcdef-credit")); st != 409 {
				t.Fatalf("more than paid + bonus: %d %s", st, out)
			}
			st, out, _ = s.do("POST", "/api/v1/merchant/vouchers/"+voucherCode+"/redemptions", `{"amount": 3200}`,
				with(till, "Idempotency-Key", "k0123456789abcdef-credit2"))
			if st != 201 || !strings.Contains(out, `"balance_after":{"amount":100`) {
				t.Fatalf("spend the credit: %d %s", st, out)
			}
			var red struct {
				Redemption struct{ ID string } `json:"redemption"`
			}
			json.Unmarshal([]byte(out), &red)
			if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+red.Redemption.ID+"/reverse", "", till); st != 200 {
				t.Fatalf("reverse: %d %s", st, out)
			}
			if v, _ := s.db.Voucher(context.Background(), voucherCode); v.Balance != 3000 || v.Bonus != 300 {
				t.Fatalf("after the reversal: paid %d, bonus %d", v.Balance, v.Bonus)
			}
			if bad, _ := s.db.LedgerMismatches(context.Background()); len(bad) > 0 {
				t.Fatalf("ledger mismatch %v", bad)
			}
		})
	}
}

// TestHolderChoosesForAll: a holder of three tickets of one order gets one
// mail that lists them, with one link that chooses for all of them (a
// ticket chosen for on its own before keeps its choice); the holder's key
// opens no one else's tickets, the pass tells no one twice, and the credit
// mail, to the holder, states the value, the bonus and its end.
func TestHolderChoosesForAll(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			s := newShop(t, engine, false, api.Limits{})
			org := s.token(demo.OrganisateurEmail)
			event, tt := s.newEvent(org, 20)
			mine := s.buyTickets(event, tt, "Holder@Example.org", 3)
			other := s.buyTickets(event, tt, "other@example.org", 1)[0]
			deadline := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
			if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", `{"options": ["refund", "credit", "donate"],
				"credit_bonus_percent": 10, "deadline": "`+deadline+`"}`, org); st != 200 {
				t.Fatalf("cancel: %d %s", st, out)
			}
			if n, err := s.events.NotifyHolders(ctx); err != nil || n != 4 {
				t.Fatalf("notified %d tickets, %v", n, err)
			}
			if n, err := s.events.NotifyHolders(ctx); err != nil || n != 0 {
				t.Fatalf("notified again: %d, %v", n, err)
			}
			mails, _ := s.db.Mails(ctx, "", 200)
			var told []*market.Mail
			for _, m := range mails {
				if strings.HasPrefix(m.Subject, "Annulation") && strings.EqualFold(m.To, "holder@example.org") {
					told = append(told, m)
				}
			}
			if len(told) != 1 {
				t.Fatalf("%d mails to the holder of 3 tickets, want 1", len(told))
			}
			for _, code := range mine {
				if !strings.Contains(told[0].Text, market.GroupCode(code)) || !strings.Contains(told[0].Text, "/billet/"+code) {
					t.Fatalf("the mail lacks ticket %s:\n%s", code, told[0].Text)
				}
			}
			key := regexp.MustCompile(`\?tous=([0-9A-Z]+)`).FindStringSubmatch(told[0].Text)
			if key == nil || strings.Contains(told[0].Text, other) {
				t.Fatalf("the mail's link for all:\n%s", told[0].Text)
			}
			all := func(code, choice, key string) (int, string) {
				st, out, _ := s.do("POST", "/api/v1/tickets/"+code+"/choice", `{"choice": "`+choice+`", "all": true, "key": "`+key+`"}`, nil)
				return st, out
			}
			// A ticket chosen for on its own keeps its choice.
			if st, out, _ := s.do("POST", "/api/v1/tickets/"+mine[1]+"/choice", `{"choice": "donate"}`, nil); st != 200 {
				t.Fatalf("donate one: %d %s", st, out)
			}
			// A ticket code alone, or the holder's key with someone else's
			// ticket, chooses for no one else.
			if st, _ := all(mine[0], "credit", ""); st != 400 {
				t.Fatalf("all without a key: %d", st)
			}
			if st, _ := all(other, "credit", key[1]); st != 404 {
				t.Fatalf("the holder's key on another's ticket: %d", st)
			}
			if st, _ := all(mine[0], "credit", "0000000000000000000A"); st != 404 {
				t.Fatalf("a guessed key: %d", st)
			}
			st, out := all(mine[2], "credit", strings.ToLower(key[1]))
			var batch struct {
				Chosen  []struct{ Ticket struct{ Code, Status string } }
				Skipped []struct {
					Ticket struct{ Code, Choice string }
					Reason string
				}
			}
			json.Unmarshal([]byte(out), &batch)
			if st != 200 || len(batch.Chosen) != 2 || len(batch.Skipped) != 1 || batch.Skipped[0].Ticket.Code != mine[1] ||
				batch.Skipped[0].Reason != "choice_already_made" || batch.Skipped[0].Ticket.Choice != "donate" {
				t.Fatalf("choice for all: %d %s", st, out)
			}
			for i, want := range []market.TicketStatus{market.TicketCredited, market.TicketDonated, market.TicketCredited} {
				if tk, _ := s.db.Ticket(ctx, mine[i]); tk.Status != want {
					t.Fatalf("ticket %d: %s, want %s", i, tk.Status, want)
				}
			}
			if tk, _ := s.db.Ticket(ctx, other); tk.Choice != "" {
				t.Fatalf("another holder's ticket was chosen for: %s", tk.Choice)
			}
			// The same again: idempotent; another choice for all changes nothing.
			if st, out := all(mine[0], "credit", key[1]); st != 200 || strings.Count(out, `"outcome":{"choice":"credit","settled":true`) != 2 {
				t.Fatalf("the same choice for all again: %d %s", st, out)
			}
			if st, out := all(mine[0], "refund", key[1]); st != 200 || strings.Count(out, "choice_already_made") != 3 {
				t.Fatalf("another choice for all: %d %s", st, out)
			}
			if st, out, _ := s.do("POST", "/api/v1/tickets/"+mine[0]+"/choice", `{"choice": "refund"}`, nil); st != 409 || !strings.Contains(out, "choice_already_made") {
				t.Fatalf("another choice for one: %d %s", st, out)
			}
			mails, _ = s.db.Mails(ctx, "", 200)
			credits := 0
			for _, m := range mails {
				if strings.HasPrefix(m.Subject, "Annulation") && strings.EqualFold(m.To, "holder@example.org") && m.ID != told[0].ID {
					t.Fatalf("a second cancellation mail: %s", m.Text)
				}
				if !strings.HasPrefix(m.Subject, "Votre crédit pour") {
					continue
				}
				credits++
				if !strings.EqualFold(m.To, "holder@example.org") || !strings.Contains(m.Text, "Bonjour Holder,") ||
					!strings.Contains(m.Text, ": 33,00\u00a0$ dont 3,00\u00a0$ de bonus offert par") || !strings.Contains(m.Text, "valable jusqu'au ") ||
					!strings.Contains(m.Text, "la valeur payée n'expire jamais") || strings.Contains(m.Text, "vous offre") {
					t.Fatalf("credit mail to %s: %s\n%s", m.To, m.Subject, m.Text)
				}
			}
			if credits != 2 {
				t.Fatalf("%d credit mails, want one per credited ticket", credits)
			}
			if n, _ := s.events.NotifyHolders(ctx); n != 0 {
				t.Fatalf("notified after the choices: %d", n)
			}
		})
	}
}

func TestPostpone(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	event, tt := s.newEvent(org, 20)
	keep := s.buyTickets(event, tt, "k@example.org", 1)[0]
	leave := s.buyTickets(event, tt, "l@example.org", 1)[0]
	later := time.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if st, _, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/postpone", `{"starts_at": "2020-01-01T20:00:00Z"}`, org); st != 400 {
		t.Fatalf("postponed into the past: %d", st)
	}
	if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/postpone", `{"starts_at": "`+later+`"}`, org); st != 200 {
		t.Fatalf("postpone: %d %s", st, out)
	}
	_, out, _ := s.do("GET", "/api/v1/tickets/"+keep, "", nil)
	if !strings.Contains(out, `"status":"postponed"`) || !strings.Contains(out, `"keep"`) || !strings.Contains(out, `"status":"valid"`) {
		t.Fatalf("postponed ticket: %s", out)
	}
	if st, _, _ := s.do("POST", "/api/v1/tickets/"+keep+"/choice", `{"choice": "keep"}`, nil); st != 200 {
		t.Fatalf("keep: %d", st)
	}
	if st, out, _ := s.do("POST", "/api/v1/tickets/"+leave+"/choice", `{"choice": "refund"}`, nil); st != 200 || !strings.Contains(out, "refunded") {
		t.Fatalf("refund of a postponed show: %d %s", st, out)
	}
	owner := s.token(demo.OrganisateurEmail)
	if st, _, _ := s.do("POST", "/api/v1/merchant/tickets/"+keep+"/checkin", "", owner); st != 200 {
		t.Fatalf("a kept ticket lets its holder in: %d", st)
	}
	if st, out, _ := s.do("POST", "/api/v1/merchant/tickets/"+leave+"/checkin", "", owner); st != 409 || !strings.Contains(out, "ticket_exchanged") {
		t.Fatalf("a refunded ticket: %d %s", st, out)
	}
}

// TestStripeTicketRefund: a ticket paid through Stripe (stripe-mock, signed
// webhook) is refunded through Stripe when its holder chooses so, once.
func TestStripeTicketRefund(t *testing.T) {
	s := newShop(t, "sqlite", true, api.Limits{})
	ctx := context.Background()
	m, _ := s.db.Merchant(ctx, "theatre-du-faubourg")
	if err := s.db.SetMerchantPayments(ctx, m.ID, "acct_1Theatre", true); err != nil {
		t.Fatal(err)
	}
	org := s.token(demo.OrganisateurEmail)
	event, tt := s.newEvent(org, 10)
	c := s.buy(fmt.Sprintf(`{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "ticket", "event": %q, "ticket_type": %q}]}`, event, tt))
	if st, out := s.deliver(signedEvent(t, "evt_tkt_"+c.Order.ID, "checkout.session.completed", c.Order.ID, 3000, "cad", time.Now())); st != 200 || !strings.Contains(out, "fulfilled") {
		t.Fatalf("webhook: %d %s", st, out)
	}
	o := s.order(c)
	_, out, _ := s.do("GET", "/api/v1/orders/"+c.Order.ID+"?token="+c.Order.AccessToken, "", nil)
	var view struct {
		Tickets []struct{ Code string } `json:"tickets"`
	}
	json.Unmarshal([]byte(out), &view)
	if o.Status != "paid" || len(view.Tickets) != 1 {
		t.Fatalf("order %+v %s", o, out)
	}
	if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel", `{"reason": "Salle inondée"}`, org); st != 200 {
		t.Fatalf("cancel: %d %s", st, out)
	}
	code := view.Tickets[0].Code
	st, out, _ := s.do("POST", "/api/v1/tickets/"+code+"/choice", `{"choice": "refund"}`, nil)
	if st != 200 || !strings.Contains(out, `"status":"refunded"`) {
		t.Fatalf("refund through Stripe: %d %s", st, out)
	}
	tk, _ := s.db.Ticket(ctx, code)
	if !strings.HasPrefix(tk.ChoiceRef, "re_") {
		t.Fatalf("refund id %q", tk.ChoiceRef)
	}
}

// TestDefaultCreditStillRefundable: when the organiser's default is a
// credit, a holder who did not answer gets it at the deadline, and may
// still ask for a refund as long as the credit is unspent (the law lets a
// holder of a cancelled show always be refunded). A credit the holder chose
// stays a credit.
func TestDefaultCreditStillRefundable(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	org := s.token(demo.OrganisateurEmail)
	event, tt := s.newEvent(org, 10)
	silent := s.buyTickets(event, tt, "s@example.org", 1)[0]
	chose := s.buyTickets(event, tt, "c@example.org", 1)[0]
	deadline := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if st, out, _ := s.do("POST", "/api/v1/organiser/events/"+event+"/cancel",
		`{"options": ["refund", "credit"], "credit_bonus_percent": 10, "default": "credit", "deadline": "`+deadline+`"}`, org); st != 200 {
		t.Fatalf("cancel: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/tickets/"+chose+"/choice", `{"choice": "credit"}`, nil); st != 200 {
		t.Fatalf("credit: %d", st)
	}
	s.events.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	if n, err := s.events.ApplyDefaults(context.Background()); err != nil || n != 1 {
		t.Fatalf("defaults: %d, %v", n, err)
	}
	_, out, _ := s.do("GET", "/api/v1/tickets/"+silent, "", nil)
	if !strings.Contains(out, `"status":"credited"`) || !strings.Contains(out, `"choices":["refund"]`) {
		t.Fatalf("defaulted credit: %s", out)
	}
	tk, _ := s.db.Ticket(context.Background(), silent)
	creditCode := tk.ChoiceRef
	st, out, _ := s.do("POST", "/api/v1/tickets/"+silent+"/choice", `{"choice": "refund"}`, nil)
	if st != 200 || !strings.Contains(out, `"status":"refunded"`) {
		t.Fatalf("refund of a defaulted credit: %d %s", st, out)
	}
	if v, _ := s.db.Voucher(context.Background(), creditCode); v.Status != market.VoucherVoid || v.Balance != 0 || v.Bonus != 0 {
		t.Fatalf("the credit voucher after the refund: %+v", v)
	}
	if st, out, _ := s.do("POST", "/api/v1/tickets/"+chose+"/choice", `{"choice": "refund"}`, nil); st != 409 || !strings.Contains(out, "choice_already_made") {
		t.Fatalf("refund of a chosen credit: %d %s", st, out)
	}
	if bad, _ := s.db.LedgerMismatches(context.Background()); len(bad) > 0 {
		t.Fatalf("ledger mismatch %v", bad)
	}
}
