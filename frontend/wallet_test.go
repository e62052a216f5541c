package frontend_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/market"
)

// paid buys a gift certificate at the bakery through the checkout, pays
// it with the demo provider and returns its voucher.
func (s *site) paid(t *testing.T, buyer, name string, amount int64, item market.ItemInput) *market.Voucher {
	t.Helper()
	ctx := context.Background()
	item.Kind, item.Merchant, item.Amount, item.Quantity = market.KindGiftCertificate, "boulangerie-du-quartier", amount, 1
	res, err := s.checkout.Create(ctx, market.CheckoutInput{BuyerEmail: buyer, BuyerName: name, Lang: "fr",
		Items: []market.ItemInput{item}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.checkout.CompleteDemo(ctx, res.Order.SessionID); err != nil {
		t.Fatal(err)
	}
	vs, err := s.db.OrderVouchers(ctx, res.Order.ID)
	if err != nil || len(vs) != 1 {
		t.Fatalf("%d vouchers, %v", len(vs), err)
	}
	return vs[0]
}

// mailsTo returns the outbox's mails to an address, newest first.
func (s *site) mailsTo(t *testing.T, to string) []*market.Mail {
	t.Helper()
	list, err := s.db.Mails(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*market.Mail
	for _, m := range list {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// walletLinkIn is the wallet link of a mail's text, as a path.
var walletLinkIn = regexp.MustCompile(`https?://[^/\s]+(/mes-bons\?jeton=[\w-]+(?:&lang=en)?)`)

// openWallet opens the wallet of email as its holder does, from the link
// mailed to it, and returns the header that carries its session.
func (s *site) openWallet(t *testing.T, email string) map[string]string {
	t.Helper()
	if res, _ := s.send(t, "POST", "/mes-bons/lien", url.Values{"email": {email}}, nil); res.StatusCode != 200 {
		t.Fatalf("link: %d", res.StatusCode)
	}
	mails := s.mailsTo(t, email)
	if len(mails) == 0 {
		t.Fatal("no link mailed")
	}
	m := walletLinkIn.FindStringSubmatch(mails[0].Text)
	if m == nil {
		t.Fatalf("no link in:\n%s", mails[0].Text)
	}
	res, _ := s.send(t, "POST", "/mes-bons/ouvrir", url.Values{"jeton": {strings.TrimPrefix(m[1], "/mes-bons?jeton=")}}, nil)
	c := cookieNamed(res, "sol_wallet")
	if res.StatusCode != http.StatusSeeOther || c == nil {
		t.Fatalf("open: %d", res.StatusCode)
	}
	return map[string]string{"Cookie": "sol_wallet=" + c.Value}
}

// cookieNamed returns the Set-Cookie of res named name, or nil.
func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestWalletWithoutJavaScript walks "Mes bons" with forms alone: asking
// for a link (the same answer for any address), opening it with its
// button (never on GET), the wallet with what the address bought and
// received, resending a voucher, changing a dated gift, English, and
// leaving; then the voucher page's giver and phone wallets, and the
// purchase form's day to send a gift on.
func TestWalletWithoutJavaScript(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	const lea = "lea@example.org"
	own := s.paid(t, lea, "Léa", 2500, market.ItemInput{})
	day := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	dated := s.paid(t, lea, "Léa", 3000, market.ItemInput{RecipientName: "Jo", RecipientEmail: "jo@example.org", DeliverAt: day})
	received := s.paid(t, "awa@example.org", "Awa", 4000, market.ItemInput{RecipientName: "Léa", RecipientEmail: lea})
	bakery, err := s.db.Merchant(ctx, "boulangerie-du-quartier")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Redeem(ctx, &market.Redemption{ID: market.NewID("red"), VoucherCode: own.Code, MerchantID: bakery.ID,
		Amount: 1000, ActorID: "usr_test", ActorName: "Test", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	t.Run("AskForm", func(t *testing.T) {
		res, body := s.send(t, "GET", "/mes-bons", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "<h1>Mes bons</h1>", `<a href="/mes-bons" aria-current="true">Mes bons</a>`, "Retrouver mes bons",
			`action="/mes-bons/lien"`, `type="email"`, `autocomplete="email"`,
			"Nous vous envoyons un lien par courriel, valable 30 minutes. Aucun mot de passe.",
			`<meta name="robots" content="noindex">`, `<link rel="canonical" href="`+s.base+`/mes-bons">`)
		_, body = s.send(t, "GET", "/", nil, nil)
		must(t, body, `<a href="/mes-bons">Mes bons</a>`)
		_, body = s.send(t, "GET", "/?lang=en", nil, nil)
		must(t, body, `<a href="/mes-bons">My vouchers</a>`)
	})

	var link string
	t.Run("Link", func(t *testing.T) {
		res, body := s.send(t, "POST", "/mes-bons/lien", url.Values{"email": {"nope"}}, nil)
		if res.StatusCode != 400 {
			t.Fatalf("%d", res.StatusCode)
		}
		must(t, body, `id="mes-bons-courriel-error">Saisissez votre adresse courriel`, `value="nope"`, `aria-invalid="true"`)

		// Whoever asks, the answer is the same: nobody learns who holds
		// vouchers. Only a holder gets a mail.
		answers := map[string]string{}
		for _, email := range []string{"Lea@Example.org", "nobody@example.org"} {
			res, body := s.send(t, "POST", "/mes-bons/lien", url.Values{"email": {email}}, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d\n%.500s", email, res.StatusCode, body)
			}
			private(t, res)
			must(t, body, "Si des bons ont été achetés ou offerts à cette adresse")
			answers[email] = strings.ReplaceAll(body, strings.ToLower(email), "ADDRESS")
		}
		if answers["Lea@Example.org"] != answers["nobody@example.org"] {
			t.Error("the answer differs with the address")
		}
		if n := len(s.mailsTo(t, "nobody@example.org")); n != 0 {
			t.Errorf("%d mails to an address that holds nothing", n)
		}
		mails := s.mailsTo(t, lea)
		if len(mails) == 0 || mails[0].Subject != "Vos bons Solidaire" {
			t.Fatalf("no wallet link mailed: %d mails", len(mails))
		}
		m := walletLinkIn.FindStringSubmatch(mails[0].Text)
		if m == nil {
			t.Fatalf("no link in:\n%s", mails[0].Text)
		}
		link = m[1]

		// A cross-site form spends nothing.
		res, _ = s.send(t, "POST", "/mes-bons/lien", url.Values{"email": {lea}},
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
		if res.StatusCode != 403 {
			t.Errorf("cross-site: %d", res.StatusCode)
		}
	})
	if link == "" {
		t.FailNow()
	}

	var session *http.Cookie
	t.Run("Open", func(t *testing.T) {
		// A GET never uses the link (mail scanners fetch links): it shows
		// the button, as many times as it is fetched.
		token := strings.TrimPrefix(link, "/mes-bons?jeton=")
		for range 2 {
			res, body := s.send(t, "GET", link, nil, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			private(t, res)
			must(t, body, "<h1>Ouvrir mes bons</h1>", `action="/mes-bons/ouvrir"`, `name="jeton" value="`+token+`"`,
				">Ouvrir mes bons</button>", `<link rel="canonical" href="`+s.base+`/mes-bons">`)
			if cookieNamed(res, "sol_wallet") != nil {
				t.Error("a GET opened the wallet")
			}
		}
		res, body := s.send(t, "POST", "/mes-bons/ouvrir", url.Values{"jeton": {"nope"}}, nil)
		if res.StatusCode != http.StatusGone {
			t.Errorf("a wrong token: %d", res.StatusCode)
		}
		must(t, body, "Ce lien n&#39;ouvre plus vos bons", `action="/mes-bons/lien"`)

		res, _ = s.send(t, "POST", "/mes-bons/ouvrir", url.Values{"jeton": {token}}, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons" {
			t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Location"))
		}
		session = cookieNamed(res, "sol_wallet")
		if session == nil || session.Value == "" || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode ||
			session.Path != "/" || session.MaxAge < 29*24*3600 || session.MaxAge > 30*24*3600 {
			t.Fatalf("the session's cookie: %+v", session)
		}
		if rp := res.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("Referrer-Policy %q", rp)
		}
		// Once.
		res, _ = s.send(t, "POST", "/mes-bons/ouvrir", url.Values{"jeton": {token}}, nil)
		if res.StatusCode != http.StatusGone || cookieNamed(res, "sol_wallet") != nil {
			t.Errorf("a link used twice: %d", res.StatusCode)
		}
	})
	if session == nil {
		t.FailNow()
	}
	holder := map[string]string{"Cookie": "sol_wallet=" + session.Value}

	t.Run("Wallet", func(t *testing.T) {
		res, body := s.send(t, "GET", "/mes-bons", nil, holder)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		for _, v := range []*market.Voucher{own, dated, received} {
			must(t, body, `<a href="/v/`+v.Code+`">Boulangerie du Quartier</a>`, `name="code" value="`+v.Code+`"`,
				"Code se terminant par "+v.Code[16:])
		}
		must(t, body, "Les bons de lea@example.org, sur cet appareil.",
			`<span class="badge badge-active">Actif</span>`, "</span> 15,00\u00a0$", "</span> 30,00\u00a0$", "</span> 40,00\u00a0$",
			"Reçu de Awa", "Offert à Jo", "Sera envoyé à jo@example.org le ",
			`<summary>Changer la date ou l&#39;adresse</summary>`, `action="/mes-bons/cadeau"`,
			`id="cadeau-date-`+dated.Code+`" name="date" type="datetime-local" value="`+day.In(toronto(t)).Format("2006-01-02T15:04")+`"`,
			`data-at="`+day.UTC().Format(time.RFC3339)+`"`, `name="tz" value="America/Toronto"`,
			`<summary>Historique<span class="visually-hidden"> — Boulangerie du Quartier</span></summary>`,
			"Bon émis <strong>&#43;25,00\u00a0$</strong>", "Dépensé chez Boulangerie du Quartier <strong>-10,00\u00a0$</strong>",
			"M&#39;envoyer ce bon à nouveau", `action="/mes-bons/renvoyer"`,
			"<h2 id=\"billets-titre\">Billets</h2>", "Aucun billet pour cette adresse.",
			`action="/mes-bons/deconnexion"`, "Me déconnecter de cet appareil")
		// The gift Léa received is not hers to reschedule, nor Awa's
		// address hers to see.
		mustNot(t, body, "cadeau-date-"+received.Code, "awa@example.org", "cadeau-date-"+own.Code)

		_, body = s.send(t, "GET", "/mes-bons?lang=en", nil, holder)
		must(t, body, "<h1>My vouchers</h1>", "Received from Awa", "Given to Jo", "Send me this voucher again", "Sign out on this device")
	})

	t.Run("Resend", func(t *testing.T) {
		before := len(s.mailsTo(t, lea))
		res, _ := s.send(t, "POST", "/mes-bons/renvoyer", url.Values{"code": {received.Code}}, holder)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons?renvoye="+received.Code {
			t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if n := len(s.mailsTo(t, lea)); n != before+1 {
			t.Errorf("%d mails queued, want 1", n-before)
		}
		_, body := s.send(t, "GET", res.Header.Get("Location"), nil, holder)
		must(t, body, `<p class="notice notice-success" role="status">Envoyé à lea@example.org`+"\u00a0"+`: le bon (Boulangerie du Quartier) arrive dans quelques minutes.</p>`)

		// Not a voucher of this wallet; not without the wallet; not from
		// another site.
		res, _ = s.send(t, "POST", "/mes-bons/renvoyer", url.Values{"code": {s.paid(t, "zoe@example.org", "", 1000, market.ItemInput{}).Code}}, holder)
		if res.StatusCode != 404 {
			t.Errorf("another's voucher: %d", res.StatusCode)
		}
		res, _ = s.send(t, "POST", "/mes-bons/renvoyer", url.Values{"code": {own.Code}}, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons" {
			t.Errorf("without a session: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = s.send(t, "POST", "/mes-bons/renvoyer", url.Values{"code": {own.Code}},
			map[string]string{"Cookie": holder["Cookie"], "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
		if res.StatusCode != 403 {
			t.Errorf("cross-site: %d", res.StatusCode)
		}
	})

	t.Run("Gift", func(t *testing.T) {
		form := func(date, email string) url.Values {
			return url.Values{"code": {dated.Code}, "date": {date}, "tz": {"Europe/Paris"}, "email": {email}}
		}
		res, body := s.send(t, "POST", "/mes-bons/cadeau", form("2020-01-01T09:00", "jo@example.org"), holder)
		if res.StatusCode != 400 {
			t.Fatalf("a past day: %d", res.StatusCode)
		}
		must(t, body, `id="cadeau-date-`+dated.Code+`-error">La date d&#39;envoi doit être dans le futur, et au plus dans un an.`,
			`value="2020-01-01T09:00"`, `<details class="wallet-more" open>`, `name="tz" value="Europe/Paris"`)
		res, body = s.send(t, "POST", "/mes-bons/cadeau", form("demain", "jo@example.org"), holder)
		if res.StatusCode != 400 {
			t.Fatalf("no day: %d", res.StatusCode)
		}
		must(t, body, "La date d&#39;envoi doit être dans le futur")
		res, body = s.send(t, "POST", "/mes-bons/cadeau", form(day.Format("2006-01-02T15:04"), "jo@"), holder)
		if res.StatusCode != 400 {
			t.Fatalf("a wrong address: %d", res.StatusCode)
		}
		must(t, body, `id="cadeau-courriel-`+dated.Code+`-error">Saisissez une adresse courriel valide pour cette personne.`)

		paris, _ := time.LoadLocation("Europe/Paris")
		next := time.Now().In(paris).AddDate(0, 0, 3)
		next = time.Date(next.Year(), next.Month(), next.Day(), 9, 30, 0, 0, paris)
		res, _ = s.send(t, "POST", "/mes-bons/cadeau", form(next.Format("2006-01-02T15:04"), "jo.b@example.org"), holder)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons?cadeau="+dated.Code {
			t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Location"))
		}
		v, err := s.db.Voucher(ctx, dated.Code)
		if err != nil || !v.DeliverAt.Equal(next) || v.RecipientEmail != "jo.b@example.org" {
			t.Fatalf("the gift: %v %s, want %v: %v", v.DeliverAt, v.RecipientEmail, next, err)
		}
		_, body = s.send(t, "GET", res.Header.Get("Location"), nil, holder)
		must(t, body, "C&#39;est noté\u00a0: le cadeau sera envoyé à jo.b@example.org le ", "Sera envoyé à jo.b@example.org le ")

		// Only the buyer changes a gift.
		res, _ = s.send(t, "POST", "/mes-bons/cadeau", url.Values{"code": {received.Code}, "date": {next.Format("2006-01-02T15:04")},
			"tz": {"Europe/Paris"}, "email": {lea}}, holder)
		if res.StatusCode != 404 {
			t.Errorf("a gift received: %d", res.StatusCode)
		}
	})

	t.Run("VoucherPage", func(t *testing.T) {
		_, body := s.send(t, "GET", "/v/"+received.Code, nil, nil)
		must(t, body, "<dt>De la part de</dt><dd>Awa</dd>", `Retrouvez tous vos bons dans <a href="/mes-bons">Mes bons</a>.`)
		mustNot(t, body, "Apple Wallet", "Google Wallet", "awa@example.org", "lea@example.org")
		_, body = s.send(t, "GET", "/v/"+own.Code, nil, nil)
		mustNot(t, body, "De la part de")

		cfg := s.pages
		cfg.AppleWallet, cfg.GoogleWallet, cfg.Passes = true, true, saveLinks{}
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", "/v/"+received.Code, nil))
		must(t, rec.Body.String(), `<a class="button button-secondary" href="/api/v1/vouchers/`+received.Code+`/pass.pkpass">Ajouter à Apple Wallet</a>`,
			`<a class="button button-secondary" href="/v/`+received.Code+`/google-wallet">Ajouter à Google Wallet</a>`)
		rec = httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", "/v/"+received.Code+"/google-wallet", nil))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "https://pay.google.com/gp/v/save/"+received.Code ||
			rec.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%d %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", "/v/0123456789ABCDEFGHJK/google-wallet", nil))
		if rec.Code != 404 {
			t.Errorf("an unknown voucher: %d", rec.Code)
		}
		// Without Google's credentials, no such page.
		if res, _ := s.send(t, "GET", "/v/"+received.Code+"/google-wallet", nil, nil); res.StatusCode != 404 {
			t.Errorf("not configured: %d", res.StatusCode)
		}
	})

	t.Run("Tickets", func(t *testing.T) {
		// Awa's wallet: the gift she gave Léa, and her tickets to an
		// event cancelled since, whose choice is still to make.
		_, tickets := s.buyTickets(t, 1, 0)
		if _, err := s.events().Cancel(ctx, "evt_cabaret-des-voisins", market.CancelOptions{
			Reason: "L'artiste est malade.", Options: []market.Choice{market.ChoiceCredit, market.ChoiceDonate},
			Deadline: time.Now().Add(10 * 24 * time.Hour)}, false); err != nil {
			t.Fatal(err)
		}
		_, body := s.send(t, "GET", "/mes-bons", nil, s.openWallet(t, "awa@example.org"))
		must(t, body, "Les bons de awa@example.org", "Offert à Léa", `<a href="/billet/`+tickets[0].Code+`">Le Cabaret des voisins</a>`,
			"Théâtre du Faubourg", `<span class="badge badge-cancelled">`, "<dd>Événement annulé</dd>",
			`<a href="/billet/`+tickets[0].Code+`">Choix à faire`+"\u00a0"+`: remboursement, crédit ou don</a>`)
		mustNot(t, body, "cadeau-date-", "Aucun billet")
	})

	t.Run("SignOut", func(t *testing.T) {
		res, _ := s.send(t, "POST", "/mes-bons/deconnexion", url.Values{}, holder)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons?deconnecte=1" {
			t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if c := cookieNamed(res, "sol_wallet"); c == nil || c.MaxAge >= 0 {
			t.Errorf("the cookie stays: %+v", c)
		}
		res, body := s.send(t, "GET", "/mes-bons?deconnecte=1", nil, holder)
		must(t, body, "Vous êtes déconnecté de vos bons sur cet appareil.", `action="/mes-bons/lien"`)
		mustNot(t, body, own.Code)
		if c := cookieNamed(res, "sol_wallet"); c == nil || c.MaxAge >= 0 {
			t.Errorf("a stale cookie is kept: %+v", c)
		}
	})

	t.Run("FormAddressLeadsToTheWallet", func(t *testing.T) {
		res, _ := s.send(t, "GET", "/mes-bons/lien?lang=en", nil, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-bons?lang=en" {
			t.Errorf("%d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("TooManyLinks", func(t *testing.T) {
		var res *http.Response
		var body string
		for range 6 {
			res, body = s.send(t, "POST", "/mes-bons/lien", url.Values{"email": {"busy@example.org"}}, nil)
		}
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%d", res.StatusCode)
		}
		must(t, body, "Trop de liens demandés pour cette adresse en peu de temps", `value="busy@example.org"`)
	})
}

// toronto is Québec's time zone, where a Canadian seller's dates are shown.
func toronto(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// saveLinks stands for Google Wallet's save links.
type saveLinks struct{}

func (saveLinks) GoogleSaveURL(_ context.Context, code string) (string, error) {
	if code == "0123456789ABCDEFGHJK" {
		return "", market.NotFound("Bon")
	}
	return "https://pay.google.com/gp/v/save/" + code, nil
}

// TestWalletPurchaseForm checks the day a gift is sent on, in the purchase
// forms without JavaScript: read in the zone the form names, refused in
// the past or without the recipient's address, ignored for oneself.
func TestWalletPurchaseForm(t *testing.T) {
	s := newSite(t, nil, false)
	offrir := boulangerie + "/offrir"
	_, body := s.send(t, "GET", boulangerie, nil, nil)
	must(t, body, `<label for="destinataire-envoi">Envoyer le courriel au destinataire le… (facultatif)</label>`,
		`id="destinataire-envoi" name="deliver_at" type="datetime-local" value=""`, `data-api-field="items[0].recipient.deliver_at"`,
		`<input type="hidden" name="tz" value="America/Toronto">`)
	_, body = s.send(t, "GET", sherbrooke, nil, nil)
	must(t, body, `name="deliver_at" type="datetime-local"`)

	paris, _ := time.LoadLocation("Europe/Paris")
	next := time.Now().In(paris).AddDate(0, 1, 0)
	next = time.Date(next.Year(), next.Month(), next.Day(), 8, 0, 0, 0, paris)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
		at     time.Time
	}{
		{"ErrPast", with(giftForm("awa@example.org"), "deliver_at", "2020-01-01T09:00"), 400,
			`id="destinataire-envoi-error">La date d&#39;envoi doit être dans le futur, et au plus dans un an.`, time.Time{}},
		{"ErrTooFar", with(giftForm("awa@example.org"), "deliver_at", time.Now().AddDate(2, 0, 0).Format("2006-01-02T15:04")), 400,
			"La date d&#39;envoi doit être dans le futur", time.Time{}},
		{"ErrUnreadable", with(giftForm("awa@example.org"), "deliver_at", "demain"), 400,
			`value="demain" aria-describedby="destinataire-envoi-hint destinataire-envoi-error" aria-invalid="true"`, time.Time{}},
		{"ErrNoAddress", with(giftForm("awa@example.org"), "deliver_at", next.Format("2006-01-02T15:04"), "recipient_email", ""), 400,
			`id="destinataire-courriel-error">Pour l&#39;envoyer à une date, indiquez le courriel de cette personne.`, time.Time{}},
		{"InTheBuyersZone", with(giftForm("awa@example.org"), "deliver_at", next.Format("2006-01-02T15:04"), "tz", "Europe/Paris"), 303, "", next},
		{"InTheSellersZone", with(giftForm("awa@example.org"), "deliver_at", next.Format("2006-01-02T15:04"), "tz", "Mars/Olympus"), 303, "",
			time.Date(next.Year(), next.Month(), next.Day(), 8, 0, 0, 0, toronto(t))},
		{"ForOneself", with(giftForm("awa@example.org"), "deliver_at", "2020-01-01T09:00", "for", "self"), 303, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := s.send(t, "POST", offrir, tc.form, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("%d\n%.1000s", res.StatusCode, body)
			}
			if tc.status != 303 {
				must(t, body, tc.want)
				return
			}
			u, _ := url.Parse(res.Header.Get("Location"))
			o, err := s.db.OrderBySession(context.Background(), strings.TrimPrefix(u.Path, "/demo/checkout/"))
			if err != nil {
				t.Fatal(err)
			}
			if at := o.Items[0].DeliverAt; !at.Equal(tc.at) {
				t.Errorf("sent on %v, want %v", at, tc.at)
			}
		})
	}
}

// TestWalletBrowser runs e2e/wallet.test.mjs on a phone against a site of
// its own: a wallet link asked for and opened from the outbox, the
// wallet's vouchers, one sent again, and a gift bought with a day to send
// it on. Then, on the database's clock, the gift's mail leaves the outbox
// on that day and not before, while the buyer's own mail left at once.
func TestWalletBrowser(t *testing.T) {
	b := newBrowser(t)
	if b == nil {
		return
	}
	s := newSite(t, os.DirFS("dist"), false)
	b.run(t, s.base, filepath.Join("e2e", "wallet.test.mjs"))

	const friend = "sam.ami@example.org" // the gift's recipient in wallet.test.mjs
	ctx := context.Background()
	gifts := s.mailsTo(t, friend)
	if len(gifts) != 1 || gifts[0].Status != market.MailPending {
		t.Fatalf("%d mails to %s", len(gifts), friend)
	}
	gift := gifts[0]
	if wait := time.Until(gift.NextAttempt); wait < 24*time.Hour || wait > 3*24*time.Hour {
		t.Fatalf("the gift leaves in %v, want in about two days", wait)
	}
	code := regexp.MustCompile(`/v/([0-9A-Z]{20})`).FindStringSubmatch(gift.Text)
	if code == nil {
		t.Fatalf("no voucher in the gift's mail:\n%s", gift.Text)
	}
	// due claims the mails due at the clock's time, and says whether the
	// gift's and the buyer's own mail of that voucher are among them. A
	// minute's lease: the next claim, later, sees them again.
	due := func(at time.Time) (gifts, buyers bool) {
		t.Helper()
		s.db.SetClock(func() time.Time { return at })
		list, err := s.db.ClaimMail(ctx, 1000, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			gifts = gifts || m.ID == gift.ID
			buyers = buyers || strings.EqualFold(m.To, "lea.martin@example.org") && strings.Contains(m.Text, "/v/"+code[1])
		}
		return gifts, buyers
	}
	t.Cleanup(func() { s.db.SetClock(time.Now) })
	if gifts, buyers := due(time.Now()); gifts || !buyers {
		t.Errorf("now: the gift's mail is due %v, the buyer's %v; want false, true", gifts, buyers)
	}
	if gifts, _ := due(gift.NextAttempt.Add(-time.Minute)); gifts {
		t.Error("the gift's mail is due a minute before its day")
	}
	if gifts, _ := due(gift.NextAttempt.Add(time.Minute)); !gifts {
		t.Error("the gift's mail is not due on its day")
	}
}
