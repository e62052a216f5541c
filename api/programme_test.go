package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

const sherbrooke = demo.ProgrammeSlug

// cardOrder buys a programme card of amount for email and returns the
// checkout's status and answer.
func (s *shop) cardOrder(slug, email string, amount int64, withoutBonus bool) (int, string) {
	s.t.Helper()
	st, out, _ := s.do("POST", "/api/v1/checkout", fmt.Sprintf(`{"buyer": {"email": %q}, "items": [{"kind": "programme_card",
		"programme": %q, "amount": %d, "without_bonus": %v}]}`, email, slug, amount, withoutBonus),
		map[string]string{"Idempotency-Key": market.NewID("key")})
	return st, out
}

// card buys and pays (demo) a programme card and returns its code.
func (s *shop) card(slug, email string, amount int64) string {
	s.t.Helper()
	st, out := s.cardOrder(slug, email, amount, false)
	if st != 201 {
		s.t.Fatalf("card checkout: %d %s", st, out)
	}
	var c created
	json.Unmarshal([]byte(out), &c)
	s.pay(c)
	return s.order(c).Vouchers[0].Code
}

// at is an admin acting at a merchant's till.
func (s *shop) at(admin map[string]string, merchant string) map[string]string {
	return with(admin, "X-Merchant", merchant)
}

func (s *shop) redeemAt(h map[string]string, code string, amount int64) (int, string) {
	s.t.Helper()
	st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", fmt.Sprintf(`{"amount": %d}`, amount),
		with(h, "Idempotency-Key", market.NewID("key")))
	return st, out
}

func (s *shop) checkFunds() {
	s.t.Helper()
	ctx := context.Background()
	if bad, err := s.db.FundMismatches(ctx); err != nil || len(bad) > 0 {
		s.t.Fatalf("funds: %v %v", bad, err)
	}
	if bad, err := s.db.LedgerMismatches(ctx); err != nil || len(bad) > 0 {
		s.t.Fatalf("ledger: %v %v", bad, err)
	}
	if bad, err := s.db.SettlementMismatches(ctx); err != nil || len(bad) > 0 {
		s.t.Fatalf("settlements: %v %v", bad, err)
	}
}

// TestProgrammeCard: a card bought on the programme is taken at every
// participating merchant, bonus first, and nowhere else; its bonus came
// out of the fund.
func TestProgrammeCard(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			st, out, _ := s.do("GET", "/api/v1/programmes/"+sherbrooke, "", nil)
			if st != 200 || !strings.Contains(out, `"remaining":{"amount":500000`) || !strings.Contains(out, "cafe-des-cantons") {
				t.Fatalf("programme: %d %s", st, out)
			}
			code := s.card(sherbrooke, "awa@example.org", 5000) // 50 $ → +50 $
			admin := s.token(demo.AdminEmail)
			st, out, _ = s.do("POST", "/api/v1/merchant/scan", `{"code": "`+code+`"}`, s.at(admin, "cafe-des-cantons"))
			if st != 200 || !strings.Contains(out, `"programme":{"slug":"`+sherbrooke) || !strings.Contains(out, `"bonus":{"amount":5000`) ||
				!strings.Contains(out, `"balance":{"amount":10000`) {
				t.Fatalf("scan at a participating shop: %d %s", st, out)
			}
			if st, _, _ := s.do("POST", "/api/v1/merchant/scan", `{"code": "`+code+`"}`, s.token(demo.BoulangerieEmail)); st != 404 {
				t.Fatalf("scan elsewhere: %d", st)
			}
			if st, _ := s.redeemAt(s.token(demo.BoulangerieEmail), code, 100); st != 404 {
				t.Fatalf("redeem elsewhere: %d", st)
			}
			st, out = s.redeemAt(s.at(admin, "cafe-des-cantons"), code, 6000)
			if st != 201 || !strings.Contains(out, `"from_bonus":{"amount":5000`) || !strings.Contains(out, `"balance_after":{"amount":4000`) {
				t.Fatalf("redeem bonus first: %d %s", st, out)
			}
			// Two entries, bonus then paid, each with the part's balance
			// after and the redemption as reference (one statement on
			// PostgreSQL, three on SQLite).
			var red struct {
				Redemption struct{ ID string } `json:"redemption"`
			}
			json.Unmarshal([]byte(out), &red)
			var split []string
			entries, _ := s.db.VoucherLedger(context.Background(), code)
			for _, e := range entries {
				if e.Reference == red.Redemption.ID {
					split = append(split, fmt.Sprintf("%s %d → %d", e.Kind, e.Amount, e.BalanceAfter))
				}
			}
			slices.Sort(split)
			if want := []string{"redeem -1000 → 4000", "redeem -5000 → 0"}; !slices.Equal(split, want) {
				t.Fatalf("entries of the split redemption: %q, want %q", split, want)
			}
			st, out = s.redeemAt(s.at(admin, "epicerie-du-vieux-nord"), code, 1500)
			if st != 201 || !strings.Contains(out, `"balance_after":{"amount":2500`) {
				t.Fatalf("redeem at a second shop: %d %s", st, out)
			}
			p, _ := s.db.Programme(context.Background(), sherbrooke)
			if p.Fund.Remaining != 495000 || p.Fund.Issued != 5000 || p.Fund.Reserved != 0 {
				t.Fatalf("fund after one card: %+v", p.Fund)
			}
			// The shop's own ledger shows the card's redemption there.
			st, out, _ = s.do("GET", "/api/v1/merchant/ledger", "", s.at(admin, "epicerie-du-vieux-nord"))
			if st != 200 || !strings.Contains(out, `"amount":-1500`) {
				t.Fatalf("ledger of the second shop: %d %s", st, out)
			}
			s.checkFunds()
		})
	}
}

// TestProgrammeMembership: a merchant asks, an organiser accepts; another
// currency is refused; a merchant that leaves no longer takes the cards.
func TestProgrammeMembership(t *testing.T) {
	s := newShop(t, "postgres", false, api.Limits{})
	town := s.token(demo.VilleEmail)
	owner := s.token(demo.BoulangerieEmail)
	if st, out, _ := s.do("GET", "/api/v1/organiser/programmes/"+sherbrooke, "", owner); st != 404 {
		t.Fatalf("a merchant reads the organiser's view: %d %s", st, out)
	}
	if st, out, _ := s.do("POST", "/api/v1/merchant/programmes/"+sherbrooke+"/join", "", s.token(demo.LibrairieEmail)); st != 400 || !strings.Contains(out, "devise") {
		t.Fatalf("a merchant in euros joins: %d %s", st, out)
	}
	if st, out, _ := s.do("POST", "/api/v1/merchant/programmes/"+sherbrooke+"/join", "", owner); st != 202 {
		t.Fatalf("join: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/programmes/"+sherbrooke+"/join", "", owner); st != 409 {
		t.Fatalf("join twice: %d", st)
	}
	code := s.card(sherbrooke, "jo@example.org", 2000)
	if st, _ := s.redeemAt(owner, code, 500); st != 404 {
		t.Fatalf("redeem before being accepted: %d", st)
	}
	// A follower of the bakery hears of the new offer once it is accepted.
	if st, out, _ := s.do("POST", "/api/v1/merchants/boulangerie-du-quartier/followers", `{"email": "fidele@example.org", "lang": "fr"}`, nil); st != 202 {
		t.Fatalf("follow: %d %s", st, out)
	}
	for _, tok := range s.mailTokens("fidele@example.org") {
		if st, out, _ := s.do("POST", "/api/v1/followers/confirm", fmt.Sprintf(`{"token": %q}`, tok), nil); st != 200 {
			t.Fatalf("confirm: %d %s", st, out)
		}
	}
	if st, out, _ := s.do("POST", "/api/v1/organiser/programmes/"+sherbrooke+"/merchants/boulangerie-du-quartier/accept", "", town); st != 200 {
		t.Fatalf("accept: %d %s", st, out)
	}
	announced := 0
	mails, _ := s.db.Mails(context.Background(), "", 200)
	for _, m := range mails {
		if m.To == "fidele@example.org" && strings.Contains(m.Text, "accepte maintenant la carte") && m.Headers["List-Unsubscribe-Post"] != "" {
			announced++
		}
	}
	if announced != 1 {
		t.Fatalf("%d announcements of the programme to the follower, want 1", announced)
	}
	if st, out := s.redeemAt(owner, code, 500); st != 201 {
		t.Fatalf("redeem once accepted: %d %s", st, out)
	}
	st, out, _ := s.do("GET", "/api/v1/organiser/programmes/"+sherbrooke, "", town)
	if st != 200 || !strings.Contains(out, `"sold":1}`) || !strings.Contains(out, "boulangerie-du-quartier") {
		t.Fatalf("organiser's view: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant/programmes/"+sherbrooke+"/leave", "", owner); st != 200 {
		t.Fatalf("leave: %d", st)
	}
	if st, _ := s.redeemAt(owner, code, 100); st != 404 {
		t.Fatalf("redeem after leaving: %d", st)
	}
}

// TestProgrammeFundRace: 60 buyers race for a fund that covers 20 bonuses,
// through two instances on PostgreSQL and Redis: exactly 20 bonuses are
// reserved; the others are told the fund is spent and may buy the card
// without bonus; expiry gives a bonus back.
func TestProgrammeFundRace(t *testing.T) {
	url := testenv.PostgresURL(t)
	db := openSeeded(t, url, true)
	rc, err := cache.NewRedis(testenv.RedisURL(t), "race:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	a := startShop(t, db, false, api.Limits{}, rc, rc)
	b := startShop(t, openSeeded(t, url, false), false, api.Limits{}, rc, rc)
	ctx := context.Background()
	p := &market.Programme{Slug: "course", Name: "Course au fonds", City: "Sherbrooke", Currency: market.CAD, Fund: market.Fund{Total: 20 * 1000},
		Bonus: market.BonusRule{Tiers: []market.Tier{{From: 2000, Bonus: 1000}}}, MinAmount: 2000, MaxAmount: 5000,
		BonusExpiresAt: time.Now().Add(time.Hour), Status: market.ProgrammeActive}
	if err := a.programmes.Create(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	var pending []string
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shop := a
			if i%2 == 1 {
				shop = b
			}
			st, out := shop.cardOrder("course", fmt.Sprintf("b%d@example.org", i), 2000, false)
			mu.Lock()
			defer mu.Unlock()
			codes[st]++
			if st == 201 {
				var c created
				json.Unmarshal([]byte(out), &c)
				pending = append(pending, c.Order.ID)
			} else if st != 409 || !strings.Contains(out, "fund_exhausted") {
				t.Errorf("checkout: %d %s", st, out)
			}
		}()
	}
	wg.Wait()
	if codes[201] != 20 || codes[409] != 40 {
		t.Fatalf("answers %v, want 20 × 201 and 40 × 409", codes)
	}
	if got, _ := db.Programme(ctx, "course"); got.Fund.Remaining != 0 || got.Fund.Reserved != 20000 {
		t.Fatalf("fund after the race: %+v", got.Fund)
	}
	if st, out := a.cardOrder("course", "late@example.org", 2000, true); st != 201 {
		t.Fatalf("a card without bonus once the fund is spent: %d %s", st, out)
	}
	// One pending order expires: its bonus is free again.
	if out, err := db.ExpireOrder(ctx, "", pending[0]); err != nil || out != market.OutcomeExpired {
		t.Fatalf("expire: %s %v", out, err)
	}
	if st, out := b.cardOrder("course", "next@example.org", 2000, false); st != 201 {
		t.Fatalf("after a release: %d %s", st, out)
	}
	a.checkFunds()
}

// TestProgrammeCaps: a buyer may hold two cards (pending ones count) and
// 200 $; the variants of one email are one buyer.
func TestProgrammeCaps(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	for _, email := range []string{"Zoe@example.org", "zoe+carte@example.org"} {
		if st, out := s.cardOrder(sherbrooke, email, 5000, false); st != 201 {
			t.Fatalf("card for %s: %d %s", email, st, out)
		}
	}
	if st, out := s.cardOrder(sherbrooke, "zoe@example.org", 2000, false); st != 409 || !strings.Contains(out, "cap_reached") {
		t.Fatalf("a third card: %d %s", st, out)
	}
	if st, out := s.cardOrder(sherbrooke, "max@example.org", 500, false); st != 400 {
		t.Fatalf("an amount below the programme's minimum: %d %s", st, out)
	}
	s.checkFunds()
}

// TestProgrammeSettlement: on Stripe (stripe-mock), cards spent at two
// shops are settled in one run: each shop's line holds the paid and bonus
// parts it took, paid by one transfer; a second run owes nothing; the
// statements are mailed.
func TestProgrammeSettlement(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, true, api.Limits{})
			ctx := context.Background()
			for _, slug := range []string{"cafe-des-cantons", "epicerie-du-vieux-nord"} {
				m, _ := s.db.Merchant(ctx, slug)
				s.db.SetMerchantPayments(ctx, m.ID, "acct_1"+strings.ReplaceAll(slug, "-", ""), true)
			}
			pay := func(amount int64) string {
				st, out := s.cardOrder(sherbrooke, market.NewID("b")+"@example.org", amount, false)
				if st != 201 {
					t.Fatalf("card: %d %s", st, out)
				}
				var c created
				json.Unmarshal([]byte(out), &c)
				if st, out := s.deliver(signedEvent(t, "evt_card_"+c.Order.ID, "checkout.session.completed", c.Order.ID, amount, "cad", time.Now())); st != 200 || !strings.Contains(out, "fulfilled") {
					t.Fatalf("pay: %d %s", st, out)
				}
				vs, _ := s.db.OrderVouchers(ctx, c.Order.ID)
				return vs[0].Code
			}
			admin := s.token(demo.AdminEmail)
			card1, card2 := pay(5000), pay(2000)                           // +50 $ and +10 $
			s.redeemAt(s.at(admin, "cafe-des-cantons"), card1, 7000)       // 50 bonus + 20 paid
			s.redeemAt(s.at(admin, "epicerie-du-vieux-nord"), card1, 1000) // 10 paid
			s.redeemAt(s.at(admin, "epicerie-du-vieux-nord"), card2, 500)  // 5 bonus
			town := s.token(demo.VilleEmail)
			s.programmes.Now = func() time.Time { return time.Now().Add(time.Hour) } // past the till's undo window
			st, out, _ := s.do("POST", "/api/v1/organiser/programmes/"+sherbrooke+"/settlements", `{"dry_run": true}`, town)
			if st != 200 || !strings.Contains(out, `"run":null`) || !strings.Contains(out, `"total":{"amount":8415`) {
				t.Fatalf("dry run: %d %s", st, out)
			}
			st, out, _ = s.do("POST", "/api/v1/organiser/programmes/"+sherbrooke+"/settlements", `{}`, town)
			if st != 201 {
				t.Fatalf("run: %d %s", st, out)
			}
			var run struct {
				Run       string
				Merchants []struct {
					Merchant struct{ Slug string }
					Paid     market.Money
					Bonus    market.Money
					Fee      market.Money
					Amount   market.Money
					Status   string
					Transfer *string
				}
			}
			json.Unmarshal([]byte(out), &run)
			got := map[string]string{}
			for _, l := range run.Merchants {
				if l.Status != "paid" || l.Transfer == nil || !strings.HasPrefix(*l.Transfer, "tr_") {
					t.Fatalf("line not paid by a transfer: %s", out)
				}
				got[l.Merchant.Slug] = fmt.Sprintf("%d+%d-%d=%d", l.Paid.Amount, l.Bonus.Amount, l.Fee.Amount, l.Amount.Amount)
			}
			if got["cafe-des-cantons"] != "2000+5000-70=6930" || got["epicerie-du-vieux-nord"] != "1000+500-15=1485" {
				t.Fatalf("lines: %v", got)
			}
			st, out, _ = s.do("POST", "/api/v1/organiser/programmes/"+sherbrooke+"/settlements", `{}`, town)
			if st != 200 || !strings.Contains(out, `"run":null`) {
				t.Fatalf("a second run: %d %s", st, out)
			}
			st, out, _ = s.do("GET", "/api/v1/merchant/programmes/"+sherbrooke+"/statements?format=csv", "", s.at(admin, "cafe-des-cantons"))
			if st != 200 || !strings.Contains(out, "part_bonus") || !strings.Contains(out, "50.00") {
				t.Fatalf("statement CSV: %d %s", st, out)
			}
			s.checkFunds()
		})
	}
}

// TestBonusExpiry: once the programme's bonus date passes, what cards left
// of their bonus goes back to the fund, with a ledger entry; the paid value
// stays.
func TestBonusExpiry(t *testing.T) {
	s := newShop(t, "postgres", false, api.Limits{})
	ctx := context.Background()
	code := s.card(sherbrooke, "awa@example.org", 5000)
	admin := s.token(demo.AdminEmail)
	s.redeemAt(s.at(admin, "cafe-des-cantons"), code, 2000) // 20 of the 50 $ bonus
	s.programmes.Now = func() time.Time { return time.Now().AddDate(1, 0, 0) }
	if n, err := s.programmes.ExpireBonuses(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	v, _ := s.db.Voucher(ctx, code)
	if v.Bonus != 0 || v.Balance != 5000 {
		t.Fatalf("card after expiry: %d paid, %d bonus", v.Balance, v.Bonus)
	}
	p, _ := s.db.Programme(ctx, sherbrooke)
	if p.Fund.Returned != 3000 || p.Fund.Remaining != 500000-5000+3000 {
		t.Fatalf("fund after expiry: %+v", p.Fund)
	}
	s.checkFunds()
}

// TestCreateProgramme: an admin creates a programme; its fields are
// checked; only admins may.
func TestCreateProgramme(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	admin := s.token(demo.AdminEmail)
	body := `{"slug": "carte-limoilou", "name": "Carte Limoilou", "city": "Québec", "currency": "cad",
		"fund": {"amount": 100000, "currency": "cad"}, "bonus": {"percent": 50, "max_per_card": {"amount": 2500, "currency": "cad"}},
		"caps": {"cards_per_buyer": 3}, "bonus_expires_at": "` + time.Now().AddDate(0, 3, 0).UTC().Format(time.RFC3339) + `",
		"organisers": ["organisateur@demo.solidaire.local"]}`
	if st, _, _ := s.do("POST", "/api/v1/admin/programmes", body, s.token(demo.OrganisateurEmail)); st != 404 {
		t.Fatalf("a non-admin creates: %d", st)
	}
	for _, sc := range []struct{ name, from, to string }{
		{"ErrCurrency", `"fund": {"amount": 100000, "currency": "cad"}`, `"fund": {"amount": 100000, "currency": "eur"}`},
		{"ErrPercent", `"percent": 50`, `"percent": 900`},
		{"ErrUnknownOrganiser", `"organisateur@demo`, `"personne@demo`},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if st, out, _ := s.do("POST", "/api/v1/admin/programmes", strings.Replace(body, sc.from, sc.to, 1), admin); st != 400 {
				t.Fatalf("%d %s", st, out)
			}
		})
	}
	st, out, _ := s.do("POST", "/api/v1/admin/programmes", body, admin)
	if st != 201 || !strings.Contains(out, `"max_per_card":{"amount":2500`) {
		t.Fatalf("create: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/admin/programmes", body, admin); st != 409 {
		t.Fatalf("create twice: %d", st)
	}
	if st, out, _ := s.do("GET", "/api/v1/organiser/programmes/carte-limoilou", "", s.token(demo.OrganisateurEmail)); st != 200 {
		t.Fatalf("its organiser's view: %d %s", st, out)
	}
}

// TestProgrammeCardVoided: a card whose payment was lost in a dispute is
// void, and its bonus goes back to the fund, never lost.
func TestProgrammeCardVoided(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	ctx := context.Background()
	st, out := s.cardOrder(sherbrooke, "awa@example.org", 2000, false)
	if st != 201 {
		t.Fatalf("card: %d %s", st, out)
	}
	var c created
	json.Unmarshal([]byte(out), &c)
	s.pay(c)
	out2, err := s.db.CloseDispute(ctx, "evt_lost", "demo_pi_"+c.Order.ID, &market.Dispute{ID: "dp_lost", Status: "lost"}, time.Now())
	if err != nil || out2 != market.OutcomeDisputeLost {
		t.Fatalf("lost: %s %v", out2, err)
	}
	p, _ := s.db.Programme(ctx, sherbrooke)
	if p.Fund.Returned != 1000 || p.Fund.Remaining != 500000 {
		t.Fatalf("fund after a voided card: %+v", p.Fund)
	}
	s.checkFunds()
}
