package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/market"
)

// walletLink returns the token of the last wallet link mailed to addr.
func (s *shop) walletLink(addr string) string {
	s.t.Helper()
	mails, err := s.db.Mails(context.Background(), "", 50)
	if err != nil {
		s.t.Fatal(err)
	}
	re := regexp.MustCompile(`/mes-bons\?jeton=([A-Za-z0-9_-]+)`)
	for _, m := range mails {
		if m.To == addr {
			if g := re.FindStringSubmatch(m.Text); g != nil {
				return g[1]
			}
		}
	}
	return ""
}

type walletView struct {
	Email    string `json:"email"`
	Vouchers []struct {
		Code        string       `json:"code"`
		Balance     market.Money `json:"balance"`
		State       string       `json:"state"`
		Received    bool         `json:"received"`
		From        string       `json:"from"`
		GiftPending bool         `json:"gift_pending"`
		DeliverAt   *time.Time   `json:"deliver_at"`
		History     []struct {
			Kind     string       `json:"kind"`
			Amount   market.Money `json:"amount"`
			Merchant string       `json:"merchant"`
		} `json:"history"`
	} `json:"vouchers"`
	Tickets []struct {
		Code  string `json:"code"`
		Event struct {
			Title string `json:"title"`
		} `json:"event"`
	} `json:"tickets"`
}

func TestWallet(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			ctx := context.Background()
			clock := time.Now()
			s.walletSvc.Now = func() time.Time { return clock }

			// Awa buys one for herself and a birthday gift for Jo, sent in two
			// days; Bob gives her one.
			s.pay(s.buy(`{"buyer": {"email": "awa@example.org", "name": "Awa"},
				"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 2500}]}`))
			birthday := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			s.pay(s.buy(fmt.Sprintf(`{"buyer": {"email": "awa@example.org", "name": "Awa"},
				"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 4000,
				"recipient": {"name": "Jo", "email": "jo@example.org", "message": "Bonne fête !", "deliver_at": %q}}]}`,
				birthday.Format(time.RFC3339))))
			s.pay(s.buy(`{"buyer": {"email": "bob@example.org", "name": "Bob"},
				"items": [{"kind": "gift_certificate", "merchant": "boulangerie-du-quartier", "amount": 3000,
				"recipient": {"name": "Awa", "email": "AWA@example.org"}}]}`))

			// The same answer whether or not the address bought anything; only
			// Awa gets a link.
			st1, out1, _ := s.do("POST", "/api/v1/wallet/link", `{"email": "awa@example.org"}`, nil)
			st2, out2, _ := s.do("POST", "/api/v1/wallet/link", `{"email": "nobody@example.org"}`, nil)
			if st1 != 202 || st2 != 202 || out1 != out2 {
				t.Fatalf("link answers differ: %d %s / %d %s", st1, out1, st2, out2)
			}
			if st, out, _ := s.do("POST", "/api/v1/wallet/link", `{"email": "not an address"}`, nil); st != 400 {
				t.Fatalf("bad address: %d %s", st, out)
			}
			if s.walletLink("nobody@example.org") != "" {
				t.Fatal("a link was mailed to an address that holds nothing")
			}
			// Jo's gift has not arrived yet: nothing to open for Jo.
			s.do("POST", "/api/v1/wallet/link", `{"email": "jo@example.org"}`, nil)
			if s.walletLink("jo@example.org") != "" {
				t.Fatal("the recipient could open a gift before its day")
			}
			link := s.walletLink("awa@example.org")
			if len(link) < 40 {
				t.Fatalf("link token %q", link)
			}

			// The link opens a session once.
			st, out, hdr := s.do("POST", "/api/v1/wallet/session", fmt.Sprintf(`{"token": %q}`, link), nil)
			if st != 201 || !strings.Contains(hdr.Get("Set-Cookie"), api.WalletCookie+"=") ||
				!strings.Contains(hdr.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(hdr.Get("Set-Cookie"), "SameSite=Lax") {
				t.Fatalf("open: %d %s %v", st, out, hdr)
			}
			var opened struct{ Token string }
			json.Unmarshal([]byte(out), &opened)
			if st, out, _ := s.do("POST", "/api/v1/wallet/session", fmt.Sprintf(`{"token": %q}`, link), nil); st != 401 ||
				!strings.Contains(out, market.EWalletLinkInvalid) {
				t.Fatalf("second use: %d %s", st, out)
			}
			bearer := map[string]string{"Authorization": "Bearer " + opened.Token}

			w := s.wallet(bearer)
			if w.Email != "awa@example.org" || len(w.Vouchers) != 3 {
				t.Fatalf("wallet %+v", w)
			}
			var own, gift, received string
			for _, v := range w.Vouchers {
				switch {
				case v.Received:
					received = v.Code
					if v.From != "Bob" || v.Balance.Amount != 3000 {
						t.Errorf("received %+v", v)
					}
				case v.GiftPending:
					gift = v.Code
					if v.DeliverAt == nil || !v.DeliverAt.Equal(birthday) {
						t.Errorf("gift %+v", v)
					}
				default:
					own = v.Code
				}
				if v.State != "active" || len(v.History) != 1 || v.History[0].Kind != "issue" {
					t.Errorf("voucher %+v", v)
				}
			}
			if own == "" || gift == "" || received == "" {
				t.Fatalf("own %q gift %q received %q", own, gift, received)
			}

			// A redemption shows in the story, with where.
			bakery, _ := s.db.Merchant(ctx, "boulangerie-du-quartier")
			if err := s.db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: own, MerchantID: bakery.ID,
				Amount: 1000, ActorID: "test", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			for _, v := range s.wallet(bearer).Vouchers {
				if v.Code == own && (len(v.History) != 2 || v.History[1].Kind != "redeem" || v.History[1].Amount.Amount != -1000 ||
					v.History[1].Merchant != bakery.Name || v.Balance.Amount != 1500) {
					t.Errorf("after a redemption %+v", v)
				}
			}

			// Send me this voucher again: to the wallet's own address.
			before, _ := s.db.Mails(ctx, "", 100)
			if st, out, _ := s.do("POST", "/api/v1/wallet/vouchers/"+received+"/resend", "", bearer); st != 202 {
				t.Fatalf("resend: %d %s", st, out)
			}
			after, _ := s.db.Mails(ctx, "", 100)
			if len(after) != len(before)+1 || after[0].To != "awa@example.org" || !strings.Contains(after[0].Text, market.GroupCode(received)) {
				t.Fatalf("resent mail: %+v", after[0])
			}
			if st, _, _ := s.do("POST", "/api/v1/wallet/vouchers/AAAAAAAAAAAAAAAAAAAA/resend", "", bearer); st != 404 {
				t.Fatalf("resend of a voucher not in the wallet: %d", st)
			}

			// The buyer moves the gift and changes its address; the recipient
			// cannot.
			for _, bad := range []string{`{"deliver_at": "2001-01-01T00:00:00Z"}`, `{"deliver_at": "demain"}`,
				fmt.Sprintf(`{"deliver_at": %q}`, time.Now().AddDate(2, 0, 0).Format(time.RFC3339))} {
				if st, out, _ := s.do("PATCH", "/api/v1/wallet/vouchers/"+gift+"/gift", bad, bearer); st != 400 {
					t.Errorf("reschedule %s: %d %s", bad, st, out)
				}
			}
			later := birthday.Add(24 * time.Hour)
			if st, out, _ := s.do("PATCH", "/api/v1/wallet/vouchers/"+gift+"/gift",
				fmt.Sprintf(`{"deliver_at": %q, "email": "joanne@example.org"}`, later.Format(time.RFC3339)), bearer); st != 200 {
				t.Fatalf("reschedule: %d %s", st, out)
			}
			if st, _, _ := s.do("PATCH", "/api/v1/wallet/vouchers/"+received+"/gift",
				fmt.Sprintf(`{"deliver_at": %q}`, later.Format(time.RFC3339)), bearer); st != 404 {
				t.Fatalf("rescheduling a voucher received: %d", st)
			}
			// The mail waits until the new date, then leaves on one worker.
			s.db.SetClock(func() time.Time { return birthday.Add(time.Hour) })
			claimed, _ := s.db.ClaimMail(ctx, 100, time.Minute)
			for _, m := range claimed {
				if m.To == "joanne@example.org" || m.To == "jo@example.org" {
					t.Fatalf("the gift left before its day: %+v", m)
				}
				s.db.MailSent(ctx, m.ID)
			}
			s.db.SetClock(func() time.Time { return later.Add(time.Minute) })
			claimed, _ = s.db.ClaimMail(ctx, 100, time.Minute)
			if len(claimed) != 1 || claimed[0].To != "joanne@example.org" {
				t.Fatalf("due on the day: %+v", claimed)
			}
			// Once it is leaving, its date and address are fixed.
			if st, out, _ := s.do("PATCH", "/api/v1/wallet/vouchers/"+gift+"/gift",
				fmt.Sprintf(`{"deliver_at": %q}`, later.Add(time.Hour).Format(time.RFC3339)), bearer); st != 409 ||
				!strings.Contains(out, market.EGiftSent) {
				t.Fatalf("reschedule while sending: %d %s", st, out)
			}
			s.db.MailSent(ctx, claimed[0].ID)
			s.db.SetClock(time.Now)

			// On its day the gift is in its recipient's wallet too.
			clock = later.Add(time.Minute)
			s.do("POST", "/api/v1/wallet/link", `{"email": "joanne@example.org"}`, nil)
			if s.walletLink("joanne@example.org") == "" {
				t.Fatal("no link for the recipient once the gift arrived")
			}

			// A cookie session refuses writes from another site; ending the
			// session closes the wallet.
			cookie := map[string]string{"Cookie": api.WalletCookie + "=" + opened.Token, "Sec-Fetch-Site": "cross-site"}
			if st, _, _ := s.do("POST", "/api/v1/wallet/vouchers/"+own+"/resend", "", cookie); st != 403 {
				t.Fatalf("cross-site resend: %d", st)
			}
			if st, _, _ := s.do("DELETE", "/api/v1/wallet/session", "", bearer); st != 204 {
				t.Fatalf("end: %d", st)
			}
			if st, _, _ := s.do("GET", "/api/v1/wallet", "", bearer); st != 401 {
				t.Fatalf("after the end: %d", st)
			}
		})
	}
}

func (s *shop) wallet(header map[string]string) walletView {
	s.t.Helper()
	st, out, _ := s.do("GET", "/api/v1/wallet", "", header)
	if st != 200 {
		s.t.Fatalf("wallet: %d %s", st, out)
	}
	var w walletView
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		s.t.Fatal(err)
	}
	return w
}

func TestGiftDateValidation(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	item := func(recipient string) string {
		return `{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "gift_certificate",
			"merchant": "boulangerie-du-quartier", "amount": 2500, "recipient": ` + recipient + `}]}`
	}
	for name, body := range map[string]string{
		"past":       item(`{"email": "jo@example.org", "deliver_at": "2020-01-01T09:00:00-05:00"}`),
		"tooFar":     item(fmt.Sprintf(`{"email": "jo@example.org", "deliver_at": %q}`, time.Now().AddDate(1, 1, 0).Format(time.RFC3339))),
		"notADate":   item(`{"email": "jo@example.org", "deliver_at": "14 mars"}`),
		"noAddress":  item(fmt.Sprintf(`{"name": "Jo", "deliver_at": %q}`, time.Now().Add(time.Hour).Format(time.RFC3339))),
		"naiveLocal": item(`{"email": "jo@example.org", "deliver_at": "2027-03-14T09:00:00"}`),
	} {
		t.Run(name, func(t *testing.T) {
			st, out, _ := s.do("POST", "/api/v1/checkout", body, map[string]string{"Idempotency-Key": market.NewID("key")})
			if st != 400 || !strings.Contains(out, "items[0].recipient.") {
				t.Fatalf("%d %s", st, out)
			}
		})
	}
}
