package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

// paidVoucher buys a certificate of amount at the merchant with the demo
// provider and returns its code.
func (s *shop) paidVoucher(merchant string, amount int64) string {
	s.t.Helper()
	c := s.buy(fmt.Sprintf(`{"buyer": {"email": "awa@example.org"}, "items": [{"kind": "gift_certificate", "merchant": %q, "amount": %d}]}`, merchant, amount))
	session := strings.Split(strings.Split(c.CheckoutURL, "/demo/checkout/")[1], "?")[0]
	if st, out, _ := s.do("POST", "/api/v1/demo/checkout/"+session+"/complete", "", nil); st != 200 {
		s.t.Fatalf("complete: %d %s", st, out)
	}
	return s.order(c).Vouchers[0].Code
}

// token signs a demo user in for a till and returns the bearer header.
func (s *shop) token(email string, password ...string) map[string]string {
	s.t.Helper()
	pw := demo.Password
	if len(password) > 0 {
		pw = password[0]
	}
	st, out, _ := s.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": %q, "token": true}`, email, pw), nil)
	if st != 200 {
		s.t.Fatalf("login %s: %d %s", email, st, out)
	}
	var me struct{ Token string }
	json.Unmarshal([]byte(out), &me)
	return map[string]string{"Authorization": "Bearer " + me.Token}
}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestTill(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			code := s.paidVoucher("boulangerie-du-quartier", 5000)
			owner := s.token(demo.BoulangerieEmail)
			qr := market.VoucherURL(s.base, code)
			for _, raw := range []string{qr, strings.ToLower(market.GroupCode(code)), code} {
				st, out, _ := s.do("POST", "/api/v1/merchant/scan", fmt.Sprintf(`{"code": %q}`, raw), owner)
				if st != 200 || !strings.Contains(out, `"kind":"voucher"`) || !strings.Contains(out, `"balance":{"amount":5000`) {
					t.Fatalf("scan %q: %d %s", raw, st, out)
				}
			}
			redeem := func(amount int64, key string) (int, string) {
				st, out, _ := s.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", fmt.Sprintf(`{"amount": %d}`, amount),
					with(owner, "Idempotency-Key", "k0123456789abcdef-"+key))
				return st, out
			}
			st, first := redeem(1200, "till-1")
			if st != 201 || !strings.Contains(first, `"balance_after":{"amount":3800`) {
				t.Fatalf("redeem: %d %s", st, first)
			}
			if st, again := redeem(1200, "till-1"); st != 201 || again != first {
				t.Fatalf("retry with the same key: %d %s", st, again)
			}
			if st, out := redeem(9999, "till-2"); st != 409 || !strings.Contains(out, "insufficient_balance") {
				t.Fatalf("overdraw: %d %s", st, out)
			}
			if st, out := redeem(0, "till-3"); st != 400 {
				t.Fatalf("zero: %d %s", st, out)
			}
			var red struct {
				Redemption struct{ ID string } `json:"redemption"`
			}
			json.Unmarshal([]byte(first), &red)
			if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+red.Redemption.ID+"/reverse", "", owner); st != 200 ||
				!strings.Contains(out, `"balance_after":{"amount":5000`) {
				t.Fatalf("reverse: %d %s", st, out)
			}
			if st, out, _ := s.do("POST", "/api/v1/merchant/redemptions/"+red.Redemption.ID+"/reverse", "", owner); st != 409 ||
				!strings.Contains(out, "already_reversed") {
				t.Fatalf("second reverse: %d %s", st, out)
			}
			redeem(2500, "till-4")
			ledger, err := s.db.VoucherLedger(context.Background(), code)
			if err != nil || len(ledger) != 4 {
				t.Fatalf("ledger: %d entries, %v", len(ledger), err)
			}
			st, out, _ := s.do("GET", "/api/v1/merchant/ledger", "", with(owner, "Accept", "text/csv"))
			if st != 200 || !strings.HasPrefix(out, "\ufeffdate,operation,voucher,amount,balance_after,currency,by,reference\n") ||
				!strings.Contains(out, ",Redemption,"+code+",-12.00,38.00,CAD,Mireille Gagnon,") ||
				!strings.Contains(out, ",Reversal,"+code+",12.00,50.00,CAD,Mireille Gagnon,") ||
				!strings.Contains(out, ",Issue,"+code+",50.00,50.00,CAD,,") {
				t.Fatalf("CSV: %d\n%s", st, out)
			}
			st, out, _ = s.do("GET", "/api/v1/merchant/summary", "", owner)
			if st != 200 || !strings.Contains(out, `"liability":{"amount":{"amount":2500,"currency":"cad"},"vouchers":1}`) ||
				!strings.Contains(out, `"today":{"amount":{"amount":2500,"currency":"cad"},"redemptions":1}`) {
				t.Fatalf("summary: %d %s", st, out)
			}
			st, out, _ = s.do("GET", "/api/v1/merchant/redemptions", "", owner)
			if st != 200 || !strings.Contains(out, `"total":{"amount":2500`) {
				t.Fatalf("today's redemptions: %d %s", st, out)
			}
			if bad, _ := s.db.LedgerMismatches(context.Background()); len(bad) > 0 {
				t.Fatalf("ledger mismatch %v", bad)
			}
		})
	}
}

// TestAuthorisation is the matrix of who may do what to whose voucher.
func TestAuthorisation(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	code := s.paidVoucher("boulangerie-du-quartier", 5000)
	owner := s.token(demo.BoulangerieEmail)
	other := s.token(demo.LibrairieEmail)
	organiser := s.token(demo.OrganisateurEmail)
	admin := s.token(demo.AdminEmail)
	scan := fmt.Sprintf(`{"code": %q}`, code)
	redeemPath := "/api/v1/merchant/vouchers/" + code + "/redemptions"
	for _, sc := range []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
	}{
		{"AnonymousScan", "POST", "/api/v1/merchant/scan", scan, nil, 401},
		{"BadToken", "POST", "/api/v1/merchant/scan", scan, map[string]string{"Authorization": "Bearer nope"}, 401},
		{"OtherMerchantScan", "POST", "/api/v1/merchant/scan", scan, other, 404},
		{"OtherMerchantRedeem", "POST", redeemPath, `{"amount": 100}`, with(other, "Idempotency-Key", "k0123456789abcdef-x1"), 404},
		{"OtherMerchantNamesIt", "POST", "/api/v1/merchant/scan", scan, with(other, "X-Merchant", "boulangerie-du-quartier"), 404},
		{"OrganiserCannotRedeem", "POST", "/api/v1/merchant/vouchers/" + code + "/redemptions", `{"amount": 100}`,
			with(organiser, "Idempotency-Key", "k0123456789abcdef-x2"), 403},
		{"OrganiserScanOtherMerchant", "POST", "/api/v1/merchant/scan", scan, organiser, 404},
		{"OwnerScan", "POST", "/api/v1/merchant/scan", scan, owner, 200},
		{"AdminNamesMerchant", "POST", "/api/v1/merchant/scan", scan, with(admin, "X-Merchant", "boulangerie-du-quartier"), 200},
		{"OwnerLedger", "GET", "/api/v1/merchant/ledger", "", owner, 200},
		{"OtherLedgerByName", "GET", "/api/v1/merchant/ledger?merchant=boulangerie-du-quartier", "", other, 404},
		{"AdminOnlyQueue", "GET", "/api/v1/admin/merchants", "", owner, 404},
		{"AdminQueue", "GET", "/api/v1/admin/merchants", "", admin, 200},
		{"UnknownMerchant", "POST", "/api/v1/merchant/scan", scan, with(owner, "X-Merchant", "nope"), 404},
	} {
		t.Run(sc.name, func(t *testing.T) {
			st, out, _ := s.do(sc.method, sc.path, sc.body, sc.header)
			if st != sc.status {
				t.Fatalf("%d, want %d: %s", st, sc.status, out)
			}
		})
	}

	t.Run("StaffAndDevices", func(t *testing.T) {
		// The owner invites staff; the invitation mail carries the link.
		st, out, _ := s.do("POST", "/api/v1/merchant/staff/invitations", `{"email": "lea@example.org"}`, owner)
		if st != 202 {
			t.Fatalf("invite: %d %s", st, out)
		}
		inviteCode := codeFromMail(t, s, "lea@example.org", "code=")
		st, out, _ = s.do("POST", "/api/v1/auth/invitations/accept", fmt.Sprintf(`{"code": %q, "name": "Léa", "password": "un-mot-de-passe"}`, inviteCode), nil)
		if st != 200 || !strings.Contains(out, `"role":"staff"`) {
			t.Fatalf("accept: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/auth/invitations/accept", fmt.Sprintf(`{"code": %q, "name": "Léa", "password": "un-mot-de-passe"}`, inviteCode), nil); st != 404 {
			t.Fatalf("invitation used twice: %d", st)
		}
		staff := s.token("lea@example.org", "un-mot-de-passe")
		if st, _, _ := s.do("POST", redeemPath, `{"amount": 100}`, with(staff, "Idempotency-Key", "k0123456789abcdef-s1")); st != 201 {
			t.Fatalf("staff redeem: %d", st)
		}
		if st, _, _ := s.do("GET", "/api/v1/merchant/ledger", "", staff); st != 403 {
			t.Fatalf("staff ledger: %d", st)
		}
		if st, _, _ := s.do("POST", "/api/v1/merchant/devices/pairing", `{"name": "Caisse 1"}`, staff); st != 403 {
			t.Fatalf("staff pairing: %d", st)
		}
		// The owner pairs a till; the till redeems with its own token.
		st, out, _ = s.do("POST", "/api/v1/merchant/devices/pairing", `{"name": "Caisse 1"}`, owner)
		var pairing struct{ Code string }
		json.Unmarshal([]byte(out), &pairing)
		if st != 201 || pairing.Code == "" {
			t.Fatalf("pairing: %d %s", st, out)
		}
		st, out, _ = s.do("POST", "/api/v1/devices/pair", fmt.Sprintf(`{"code": %q}`, pairing.Code), nil)
		var paired struct {
			Token  string
			Device struct{ ID string }
		}
		json.Unmarshal([]byte(out), &paired)
		if st != 201 || paired.Token == "" {
			t.Fatalf("pair: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/devices/pair", fmt.Sprintf(`{"code": %q}`, pairing.Code), nil); st != 404 {
			t.Fatalf("pairing code used twice: %d", st)
		}
		till := map[string]string{"Authorization": "Bearer " + paired.Token}
		if st, out, _ := s.do("POST", redeemPath, `{"amount": 100}`, with(till, "Idempotency-Key", "k0123456789abcdef-d1")); st != 201 {
			t.Fatalf("device redeem: %d %s", st, out)
		}
		if st, _, _ := s.do("GET", "/api/v1/merchant/summary", "", till); st != 403 {
			t.Fatalf("device summary: %d", st)
		}
		// Its day's list holds what it redeemed itself, which it may undo.
		if st, out, _ := s.do("GET", "/api/v1/merchant/redemptions", "", till); st != 200 || strings.Count(out, `"id":`) != 1 ||
			!strings.Contains(out, `"by":"Caisse 1"`) || !strings.Contains(out, `"undoable":true`) {
			t.Fatalf("device's redemptions: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/merchant/devices/"+paired.Device.ID+"/revoke", "", owner); st != 204 {
			t.Fatalf("revoke: %d", st)
		}
		if st, _, _ := s.do("POST", "/api/v1/merchant/scan", scan, till); st != 401 {
			t.Fatalf("revoked device: %d", st)
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		res, err := http.Post(s.base+"/api/v1/auth/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"email": %q, "password": %q}`, demo.BoulangerieEmail, demo.Password)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var cookie *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == api.SessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", cookie)
		}
		ck := map[string]string{"Cookie": api.SessionCookie + "=" + cookie.Value}
		if st, out, _ := s.do("POST", "/api/v1/merchant/scan", scan, with(ck, "Origin", "https://evil.example")); st != 403 ||
			!strings.Contains(out, "cross_site_request") {
			t.Fatalf("cross-site: %d %s", st, out)
		}
		if st, _, _ := s.do("POST", "/api/v1/merchant/scan", scan, ck); st != 403 {
			t.Fatalf("no origin at all: %d", st)
		}
		if st, _, _ := s.do("POST", "/api/v1/merchant/scan", scan, with(ck, "Sec-Fetch-Site", "same-origin")); st != 200 {
			t.Fatalf("same origin: %d", st)
		}
		if st, _, _ := s.do("GET", "/api/v1/auth/me", "", ck); st != 200 {
			t.Fatalf("me: %d", st)
		}
	})
}

var codeRE = regexp.MustCompile(`code=([A-Za-z0-9_-]+)`)

// codeFromMail finds the one-time code in the newest mail to an address.
func codeFromMail(t *testing.T, s *shop, to, _ string) string {
	t.Helper()
	mails, _ := s.db.Mails(context.Background(), "", 50)
	for _, m := range mails {
		if m.To == to {
			if mm := codeRE.FindStringSubmatch(m.Text); mm != nil {
				return mm[1]
			}
		}
	}
	t.Fatalf("no mail with a code to %s", to)
	return ""
}

func TestPasswordResetAndApplication(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	if st, _, _ := s.do("POST", "/api/v1/auth/password-reset", `{"email": "nobody@example.org"}`, nil); st != 202 {
		t.Fatalf("unknown address: %d", st)
	}
	if st, _, _ := s.do("POST", "/api/v1/auth/password-reset", fmt.Sprintf(`{"email": %q}`, demo.BoulangerieEmail), nil); st != 202 {
		t.Fatalf("reset: %d", st)
	}
	code := codeFromMail(t, s, demo.BoulangerieEmail, "code=")
	if st, out, _ := s.do("POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"code": %q, "password": "court"}`, code), nil); st != 400 {
		t.Fatalf("weak password: %d %s", st, out)
	}
	if st, out, _ := s.do("POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"code": %q, "password": "nouveau-secret"}`, code), nil); st != 204 {
		t.Fatalf("confirm: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/auth/password-reset/confirm", fmt.Sprintf(`{"code": %q, "password": "encore-autre"}`, code), nil); st != 404 {
		t.Fatalf("code used twice: %d", st)
	}
	if st, _, _ := s.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": "nouveau-secret"}`, demo.BoulangerieEmail), nil); st != 200 {
		t.Fatalf("login with the new password: %d", st)
	}
	if st, _, _ := s.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email": %q, "password": %q}`, demo.BoulangerieEmail, demo.Password), nil); st != 401 {
		t.Fatalf("login with the old password: %d", st)
	}

	app := `{"business": {"name": "Café des Arts", "category": "cafe", "city": "Montréal", "address": "1 rue X",
		"registration": "1171234567", "currency": "cad", "summary": "Un café"},
		"owner": {"name": "Zoé", "email": "zoe@example.org", "password": "mot-de-passe-zoe"}}`
	if st, out, _ := s.do("POST", "/api/v1/merchant-applications", app, nil); st != 201 || !strings.Contains(out, `"status":"pending"`) {
		t.Fatalf("apply: %d %s", st, out)
	}
	// Sent again, now that the address has an account: the same answer
	// (TestApplicationKeepsAccountsSecret has the detail).
	if st, out, _ := s.do("POST", "/api/v1/merchant-applications", app, nil); st != 201 || !strings.Contains(out, `"status":"pending"`) {
		t.Fatalf("apply twice: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/merchant-applications", strings.Replace(app, `"1171234567"`, `""`, 1), nil); st != 400 {
		t.Fatalf("no registration: %d", st)
	}
	if st, _, _ := s.do("GET", "/api/v1/merchants/cafe-des-arts", "", nil); st != 404 {
		t.Fatalf("pending merchant listed: %d", st)
	}
	admin := s.token(demo.AdminEmail)
	if st, out, _ := s.do("GET", "/api/v1/admin/merchants", "", admin); st != 200 || !strings.Contains(out, "1171234567") {
		t.Fatalf("queue: %d %s", st, out)
	}
	if st, _, _ := s.do("POST", "/api/v1/admin/merchants/cafe-des-arts/approve", "", admin); st != 200 {
		t.Fatalf("approve: %d", st)
	}
	if st, _, _ := s.do("GET", "/api/v1/merchants/cafe-des-arts", "", nil); st != 200 {
		t.Fatalf("approved merchant: %d", st)
	}
	zoe := s.token("zoe@example.org", "mot-de-passe-zoe")
	if st, out, _ := s.do("POST", "/api/v1/merchant/payments/onboarding", "", zoe); st != 200 || !strings.Contains(out, `"demo":true`) {
		t.Fatalf("demo onboarding: %d %s", st, out)
	}
}

func TestRateLimits(t *testing.T) {
	tight := api.Rate{Count: 3, Per: time.Hour}
	generous := api.Rate{Count: 1000, Per: time.Minute}
	s := newShop(t, "sqlite", false, api.Limits{CheckoutPerIP: generous, CheckoutPerBuyer: generous, LookupsPerIP: generous,
		LookupsPerDevice: tight, LoginPerIP: generous, LoginPerAccount: tight})
	wrong := fmt.Sprintf(`{"email": %q, "password": "faux-mot-de-passe"}`, demo.LibrairieEmail)
	for i := 0; i < 3; i++ {
		if st, _, _ := s.do("POST", "/api/v1/auth/login", wrong, nil); st != 401 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	st, out, h := s.do("POST", "/api/v1/auth/login", wrong, nil)
	if st != 429 || h.Get("Retry-After") == "" || !strings.Contains(out, "rate_limited") {
		t.Fatalf("fourth attempt: %d %s %q", st, out, h.Get("Retry-After"))
	}
	owner := s.token(demo.BoulangerieEmail)
	for i := 0; i < 3; i++ {
		s.do("POST", "/api/v1/merchant/scan", `{"code": "AAAAAAAAAAAAAAAAAAAA"}`, owner)
	}
	if st, _, h := s.do("POST", "/api/v1/merchant/scan", `{"code": "AAAAAAAAAAAAAAAAAAAA"}`, owner); st != 429 || h.Get("Retry-After") == "" {
		t.Fatalf("lookups: %d", st)
	}
	_, metrics, _ := s.do("GET", "/metrics", "", nil)
	if !strings.Contains(metrics, "solidaire_failed_code_lookups_total 3") || !strings.Contains(metrics, "solidaire_failed_logins_total 3") {
		t.Fatalf("metrics lack the failures:\n%s", metrics)
	}
}

// TestRedeemRaceAcrossInstances: two instances share PostgreSQL and Redis;
// 100 concurrent redemptions of 7,00 $ on a 50,00 $ voucher: exactly seven
// succeed, the rest are refused, and the balance never goes negative. The
// live feed of the other instance sees every redemption.
func TestRedeemRaceAcrossInstances(t *testing.T) {
	url := testenv.PostgresURL(t)
	redisURL := testenv.RedisURL(t)
	newInstance := func(seed bool) *shop {
		db := openSeeded(t, url, seed)
		rc, err := cache.NewRedis(redisURL, "race:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rc.Close() })
		return startShop(t, db, false, api.Limits{}, rc, rc)
	}
	a, b := newInstance(true), newInstance(false)
	code := a.paidVoucher("boulangerie-du-quartier", 5000)
	owner := a.token(demo.BoulangerieEmail)

	// A dashboard on instance b listens.
	req, _ := http.NewRequest("GET", b.base+"/api/v1/merchant/live", nil)
	for k, v := range owner {
		req.Header.Set(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req = req.WithContext(ctx)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("live: %v %v", err, res)
	}
	defer res.Body.Close()
	events := make(chan string, 200)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: {\"type\"") {
				events <- sc.Text()
			}
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	status := map[int]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			inst := a
			if i%2 == 1 {
				inst = b
			}
			st, _, _ := inst.do("POST", "/api/v1/merchant/vouchers/"+code+"/redemptions", `{"amount": 700}`,
				with(owner, "Idempotency-Key", fmt.Sprintf("race-key-%08d", i)))
			mu.Lock()
			status[st]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if status[201] != 7 || status[409] != 93 {
		t.Fatalf("statuses %v, want 7 × 201 and 93 × 409", status)
	}
	v, err := a.db.Voucher(context.Background(), code)
	if err != nil || v.Balance != 100 {
		t.Fatalf("balance %d, %v; want 100", v.Balance, err)
	}
	if bad, _ := a.db.LedgerMismatches(context.Background()); len(bad) > 0 {
		t.Fatalf("ledger mismatch %v", bad)
	}
	for i := 0; i < 7; i++ {
		select {
		case <-events:
		case <-time.After(5 * time.Second):
			t.Fatalf("live feed on the other instance saw %d of 7 redemptions", i)
		}
	}
}

// TestTokenTags: tokens from login and pairing carry their kind; tokens
// issued before the tags (a session's and a device's, untagged) still open
// the till on both engines.
func TestTokenTags(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			ctx := context.Background()
			code := s.paidVoucher("boulangerie-du-quartier", 5000)
			owner := s.token(demo.BoulangerieEmail)
			if !strings.HasPrefix(owner["Authorization"], "Bearer "+market.SessionTokenPrefix) {
				t.Fatalf("session token not tagged: %q", owner["Authorization"])
			}
			st, out, _ := s.do("POST", "/api/v1/merchant/devices/pairing", `{"name": "Caisse 1"}`, owner)
			var pairing struct{ Code string }
			json.Unmarshal([]byte(out), &pairing)
			st, out, _ = s.do("POST", "/api/v1/devices/pair", fmt.Sprintf(`{"code": %q}`, pairing.Code), nil)
			var paired struct{ Token string }
			json.Unmarshal([]byte(out), &paired)
			if st != 201 || !strings.HasPrefix(paired.Token, market.DeviceTokenPrefix) {
				t.Fatalf("pair: %d %s", st, out)
			}
			m, err := s.db.Merchant(ctx, "boulangerie-du-quartier")
			if err != nil {
				t.Fatal(err)
			}
			oldSession, sessionHash := market.NewAccessToken()
			now := time.Now()
			if err := s.db.CreateSession(ctx, &market.Session{ID: market.NewID("ses"), TokenHash: sessionHash, UserID: "usr_boulangerie",
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			oldDevice, deviceHash := market.NewAccessToken()
			if err := s.db.CreateDevice(ctx, &market.Device{ID: market.NewID("dev"), MerchantID: m.ID, Name: "Ancienne caisse",
				CreatedBy: "usr_boulangerie", CreatedAt: now}, deviceHash); err != nil {
				t.Fatal(err)
			}
			for name, tok := range map[string]string{"tagged session": owner["Authorization"][len("Bearer "):], "tagged device": paired.Token,
				"untagged session": oldSession, "untagged device": oldDevice} {
				if st, out, _ := s.do("POST", "/api/v1/merchant/scan", fmt.Sprintf(`{"code": %q}`, code), map[string]string{"Authorization": "Bearer " + tok}); st != 200 {
					t.Errorf("%s: %d %s", name, st, out)
				}
			}
			// Logging out an untagged device's token unpairs it.
			h := map[string]string{"Authorization": "Bearer " + oldDevice}
			s.do("POST", "/api/v1/auth/logout", "", h)
			if st, _, _ := s.do("POST", "/api/v1/merchant/scan", fmt.Sprintf(`{"code": %q}`, code), h); st != 401 {
				t.Errorf("untagged device after logout: %d", st)
			}
		})
	}
}
