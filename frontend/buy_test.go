package frontend_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/market"
)

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send sends a request to the site without following redirects, and
// returns the answer with its body read.
func (s *site) send(t *testing.T, method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, s.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser says of a form posted from the site's own page.
		req.Header.Set("Origin", s.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// pending counts the orders waiting for their payment.
func (s *site) pending(t *testing.T) int {
	t.Helper()
	list, err := s.db.PendingOrders(context.Background(), time.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// giftForm is the purchase form filled for a gift of 25,00 $ with a message.
func giftForm(email string) url.Values {
	return url.Values{"amount": {"2500"}, "amount_other": {""}, "for": {"gift"}, "recipient_name": {"Jo"},
		"recipient_email": {"jo@example.org"}, "message": {"Bon appétit !\r\n<script>alert(1)</script>"},
		"email": {email}, "name": {"Awa"}}
}

// with returns a copy of v with the fields of kv (name, value, …) set.
func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func must(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

func mustNot(t *testing.T, body string, absent ...string) {
	t.Helper()
	for _, a := range absent {
		if strings.Contains(body, a) {
			t.Errorf("the page has %q", a)
		}
	}
}

// private checks the headers of a page whose address is a bearer secret.
func private(t *testing.T, res *http.Response) {
	t.Helper()
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if rp := res.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", rp)
	}
}

const boulangerie = "/m/boulangerie-du-quartier"

func TestBuyForm(t *testing.T) {
	s := newSite(t, nil, false)
	t.Run("MerchantPage", func(t *testing.T) {
		res, body := s.send(t, "GET", boulangerie, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		must(t, body, `<form class="buy" method="post" action="/m/boulangerie-du-quartier/offrir" novalidate data-buy`,
			`name="amount" value="1500"`, `name="amount" value="2500"`, `>25,00`+"\u00a0$</label>",
			`id="montant-autre" name="amount_other" type="text"`, `inputmode="decimal"`,
			"De 10,00\u00a0$ à 200,00\u00a0$", `name="for" value="self" checked`, `name="for" value="gift"`,
			`<textarea id="message" name="message"`, `maxlength="500"`, `type="email"`, `autocomplete="email" `,
			"Avant de payer", "Boulangerie du Quartier, Montréal", "n&#39;expire jamais et ne comporte aucuns frais",
			"Aucuns frais pour vous", "sur la page du bon", "Passer au paiement",
			"aucun paiement réel", `data-api-field="items[0].amount"`, `data-api-field="buyer.email"`,
			`data-error="Choisissez un montant de 10,00`)
		mustNot(t, body, "ouvre bientôt", "aria-invalid", "autofocus", "Paiement annulé")
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
			t.Errorf("CSP %q", csp)
		}
	})
	t.Run("InEuros", func(t *testing.T) {
		_, body := s.send(t, "GET", "/m/librairie-des-possibles", nil, nil)
		must(t, body, "Sans date limite\u00a0: le bon n&#39;expire jamais", "\u00a0€")
	})
	t.Run("InEnglish", func(t *testing.T) {
		_, body := s.send(t, "GET", boulangerie, nil, map[string]string{"Accept-Language": "en"})
		must(t, body, "Another amount", "From $10.00 to $200.00, for example 25 or 25.50", "No fees for you", "Go to payment")
	})
	t.Run("BackFromACancelledPayment", func(t *testing.T) {
		_, body := s.send(t, "GET", boulangerie+"?annule=1", nil, nil)
		must(t, body, `role="status">Paiement annulé`)
	})
	t.Run("TicketsOnSale", func(t *testing.T) {
		// Tickets are sold on the event page now (ticket_buy.go).
		_, body := s.send(t, "GET", "/e/evt_cabaret-des-voisins", nil, nil)
		must(t, body, "data-tickets", "Passer au paiement")
		mustNot(t, body, "ouvre bientôt")
	})
	t.Run("WithStripe", func(t *testing.T) {
		// With Stripe the form's redirect goes to Stripe's page, which the
		// policy must allow; the demo payment page does not exist.
		cfg := s.pages
		cfg.DemoPayments, cfg.FeeBasisPoints = false, 250
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", boulangerie, nil))
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com;") {
			t.Errorf("CSP %q", csp)
		}
		must(t, rec.Body.String(), "Paiement sécurisé par carte")
		rec = httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "stripe") {
			t.Errorf("a page without the form allows Stripe: %q", csp)
		}
	})
	t.Run("FeeFromTheMerchantsShare", func(t *testing.T) {
		ctx := context.Background()
		m, err := s.db.Merchant(ctx, "librairie-des-possibles")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.db.SetMerchantPayments(ctx, m.ID, "acct_1Librairie", true); err != nil {
			t.Fatal(err)
		}
		cfg := s.pages
		cfg.FeeBasisPoints = 250
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", "/m/librairie-des-possibles", nil))
		must(t, rec.Body.String(), "Aucuns frais pour vous\u00a0: vous payez exactement la valeur du bon. Solidaire retient 2,5\u00a0% sur la part du commerce.")
		rec = httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest("GET", boulangerie, nil)) // paid without a connected account: no fee
		must(t, rec.Body.String(), "et elle va en entier au commerce")
	})
	t.Run("WithoutCheckout", func(t *testing.T) {
		cfg := s.pages
		cfg.Checkout, cfg.Orders = nil, nil
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for path, status := range map[string]int{boulangerie: 200, "/v/0123456789ABCDEFGHJK": 404, "/commande/ord_x?token=x": 404} {
			rec := httptest.NewRecorder()
			pages.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != status {
				t.Errorf("%s: %d, want %d", path, rec.Code, status)
			}
			if path == boulangerie {
				must(t, rec.Body.String(), "ouvre bientôt")
				mustNot(t, rec.Body.String(), "<form class=\"buy\"")
			}
		}
	})
}

func TestBuyWithoutJavaScript(t *testing.T) {
	s := newSite(t, nil, false)
	offrir := boulangerie + "/offrir"
	refused := func(t *testing.T, form url.Values, header map[string]string, status int) string {
		t.Helper()
		before := s.pending(t)
		res, body := s.send(t, "POST", offrir, form, header)
		if res.StatusCode != status {
			t.Fatalf("status %d, want %d\n%.2000s", res.StatusCode, status, body)
		}
		if n := s.pending(t); n != before {
			t.Errorf("%d orders written by a refused form", n-before)
		}
		if status == http.StatusBadRequest {
			private(t, res)
			must(t, body, `<form class="buy"`)
			if !regexp.MustCompile("<title>(Erreur\u00a0:|Error:) Boulangerie du Quartier").MatchString(body) {
				t.Error("the title does not start with the error")
			}
		}
		return body
	}

	t.Run("ErrAmountTooSmall", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "amount", "", "amount_other", "5"), nil, 400)
		// The error sits next to the amount, is tied to it, and the field
		// has the focus; what was typed is all there.
		msg := "Choisissez un montant de 10,00\u00a0$ à 200,00\u00a0$, par exemple 25 ou 25,50."
		must(t, body, `<span class="field-error" id="montant-autre-error">`+html.EscapeString(msg)+`</span>`,
			`<li><a href="#montant-autre">`+html.EscapeString(msg)+`</a></li>`,
			`id="montant-autre" name="amount_other" type="text" value="5" aria-describedby="montant-autre-hint montant-autre-error" aria-invalid="true"`,
			`autofocus`, `value="awa@example.org"`, `value="Jo"`, `value="jo@example.org"`, `name="for" value="gift" checked`,
			">Bon appétit !\n&lt;script&gt;alert(1)&lt;/script&gt;</textarea>", `value="Awa"`)
		mustNot(t, body, "<script>alert(1)", `value="2500" checked`)
	})
	t.Run("ErrAmountUnreadable", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "amount_other", "vingt"), nil, 400)
		must(t, body, `value="vingt" aria-describedby="montant-autre-hint montant-autre-error" aria-invalid="true"`)
	})
	t.Run("ErrNoAmount", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "amount", ""), nil, 400)
		must(t, body, `aria-invalid="true"`, "Choisissez un montant")
	})
	t.Run("ErrAmountNotSuggested", func(t *testing.T) {
		// A forged radio value is no amount at all.
		body := refused(t, with(giftForm("awa@example.org"), "amount", "1"), nil, 400)
		must(t, body, "Choisissez un montant")
	})
	t.Run("ErrBuyerEmail", func(t *testing.T) {
		body := refused(t, with(giftForm("awa-at-example"), "for", "gift"), nil, 400)
		must(t, body, `id="courriel-error">Saisissez votre adresse courriel`,
			`value="awa-at-example" aria-describedby="courriel-hint courriel-error" aria-invalid="true" required`,
			`name="amount" value="2500" checked`, `data-buy-value>25,00`+"\u00a0$<")
	})
	t.Run("ErrRecipientEmail", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "recipient_email", "jo@"), nil, 400)
		must(t, body, `id="destinataire-courriel-error">Saisissez une adresse courriel valide pour cette personne`)
	})
	t.Run("ErrMessageWithoutRecipient", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "recipient_name", "", "recipient_email", ""), nil, 400)
		must(t, body, `id="destinataire-nom-error">Indiquez le nom de la personne`)
	})
	t.Run("ErrInEnglish", func(t *testing.T) {
		body := refused(t, with(giftForm("awa@example.org"), "amount_other", "250.00"), map[string]string{"Accept-Language": "en"}, 400)
		must(t, body, "<title>Error: Boulangerie", "Choose an amount from $10.00 to $200.00", `value="250.00"`)
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
			{"Sec-Fetch-Site": "same-site", "Origin": "https://shop.127.0.0.1.example"},
			{"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
		} {
			body := refused(t, giftForm("awa@example.org"), h, 403)
			must(t, body, "Requête refusée")
		}
	})
	t.Run("ErrUnknownMerchant", func(t *testing.T) {
		for _, slug := range []string{"nope", "fromagerie-des-trois-rangs"} {
			res, _ := s.send(t, "POST", "/m/"+slug+"/offrir", giftForm("awa@example.org"), nil)
			if res.StatusCode != 404 {
				t.Errorf("%s: %d", slug, res.StatusCode)
			}
		}
	})
	t.Run("Gift", func(t *testing.T) {
		before := s.pending(t)
		res, body := s.send(t, "POST", offrir, giftForm("awa@example.org"), nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, s.base+"/demo/checkout/demo_cs_") ||
			!strings.Contains(loc, "?next="+url.QueryEscape(s.base+"/commande/ord_")) {
			t.Fatalf("%d %q\n%.500s", res.StatusCode, loc, body)
		}
		if n := s.pending(t); n != before+1 {
			t.Fatalf("%d orders written, want 1", n-before)
		}
		u, _ := url.Parse(loc)
		o, err := s.db.OrderBySession(context.Background(), strings.TrimPrefix(u.Path, "/demo/checkout/"))
		if err != nil {
			t.Fatal(err)
		}
		it := o.Items[0]
		if o.Total != 2500 || o.BuyerEmail != "awa@example.org" || o.BuyerName != "Awa" || o.Lang != "fr" ||
			it.RecipientName != "Jo" || it.RecipientEmail != "jo@example.org" || it.Message != "Bon appétit !\n<script>alert(1)</script>" {
			t.Errorf("order %+v, item %+v", o, it)
		}
	})
	t.Run("TypedAmountForOneself", func(t *testing.T) {
		// The typed amount wins over a pick; a gift's fields are dropped
		// when the certificate is for oneself.
		for _, tc := range []struct {
			typed, lang string
			want        int64
		}{{"25,50", "fr", 2550}, {"$30.25", "en", 3025}, {"199", "fr", 19900}} {
			form := with(giftForm("self@example.org"), "amount_other", tc.typed, "for", "self")
			res, _ := s.send(t, "POST", offrir, form, map[string]string{"Accept-Language": tc.lang})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", tc.typed, res.StatusCode)
			}
			u, _ := url.Parse(res.Header.Get("Location"))
			o, err := s.db.OrderBySession(context.Background(), strings.TrimPrefix(u.Path, "/demo/checkout/"))
			if err != nil {
				t.Fatal(err)
			}
			if it := o.Items[0]; o.Total != tc.want || o.Lang != tc.lang || it.RecipientName != "" || it.Message != "" {
				t.Errorf("%s: total %d lang %s item %+v", tc.typed, o.Total, o.Lang, it)
			}
		}
	})
	t.Run("ErrRateLimited", func(t *testing.T) {
		form := giftForm("often@example.org")
		for i := 0; i < 10; i++ {
			if res, _ := s.send(t, "POST", offrir, form, nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("checkout %d: %d", i, res.StatusCode)
			}
		}
		body := refused(t, form, nil, http.StatusTooManyRequests)
		must(t, body, `role="alert" data-buy-error>Trop de tentatives`, `autofocus aria-describedby="achat-erreur"`, `value="often@example.org"`)
	})
	t.Run("GetGoesBackToTheForm", func(t *testing.T) {
		res, _ := s.send(t, "GET", offrir+"?lang=en", nil, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != boulangerie+"?lang=en#bons" {
			t.Errorf("%d %q", res.StatusCode, loc)
		}
	})
}

// bought is an order opened through the checkout, as the buyer holds it.
type bought struct {
	id, token, session, checkoutURL string
}

// buy opens a checkout for a gift of 50,00 $ to Jo.
func (s *site) buy(t *testing.T) bought {
	t.Helper()
	res, err := s.checkout.Create(context.Background(), market.CheckoutInput{BuyerEmail: "awa@example.org", BuyerName: "Awa",
		Items: []market.ItemInput{{Kind: market.KindGiftCertificate, Merchant: "boulangerie-du-quartier", Amount: 5000,
			RecipientName: "Jo", RecipientEmail: "jo@example.org", Message: "Bon appétit !\n<b>Jo</b>"}}})
	if err != nil {
		t.Fatal(err)
	}
	return bought{id: res.Order.ID, token: res.AccessToken, session: res.Order.SessionID, checkoutURL: res.CheckoutURL}
}

func TestDemoPayment(t *testing.T) {
	s := newSite(t, nil, false)
	b := s.buy(t)
	next := s.base + "/commande/" + b.id + "?token=" + b.token
	if b.checkoutURL != s.base+"/demo/checkout/"+b.session+"?next="+url.QueryEscape(next) {
		t.Fatalf("checkout URL %q", b.checkoutURL)
	}
	page := strings.TrimPrefix(b.checkoutURL, s.base)
	confirmation := strings.TrimPrefix(next, s.base)

	t.Run("PaymentPage", func(t *testing.T) {
		res, body := s.send(t, "GET", page, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "Paiement de démonstration — aucun argent réel n&#39;est prélevé", "Boulangerie du Quartier",
			"50,00\u00a0$", "<dd>Jo</dd>", "awa@example.org", `<meta name="robots" content="noindex">`,
			`<form method="post" action="/demo/checkout/`+b.session+`?next=`+html.EscapeString(url.QueryEscape(next))+`">`,
			"Payer (démo)", `href="/m/boulangerie-du-quartier?annule=1">Annuler et revenir au commerce`)
	})
	t.Run("ConfirmationWhilePending", func(t *testing.T) {
		res, body := s.send(t, "GET", confirmation, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		must(t, body, `role="status"`, "Paiement en cours de confirmation…", `<meta http-equiv="refresh" content="5">`,
			`data-poll="/api/v1/orders/`+b.id+`?token=`+b.token+`"`, "50,00\u00a0$", "<dd>Jo</dd>")
		mustNot(t, body, "qr.png")
	})
	t.Run("ErrUnknownSession", func(t *testing.T) {
		for _, m := range []string{"GET", "POST"} {
			if res, _ := s.send(t, m, "/demo/checkout/demo_cs_nope", url.Values{}, nil); res.StatusCode != 404 {
				t.Errorf("%s: %d", m, res.StatusCode)
			}
		}
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		res, _ := s.send(t, "POST", page, url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		if res.StatusCode != 403 {
			t.Errorf("%d", res.StatusCode)
		}
		if o, _ := s.db.Order(context.Background(), b.id); o.Status != market.OrderPending {
			t.Errorf("a cross-site post paid the order: %s", o.Status)
		}
	})
	t.Run("Pay", func(t *testing.T) {
		res, _ := s.send(t, "POST", page, url.Values{}, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != next {
			t.Fatalf("%d %q, want %q", res.StatusCode, loc, next)
		}
		if o, _ := s.db.Order(context.Background(), b.id); o.Status != market.OrderPaid {
			t.Fatalf("order %s", o.Status)
		}
	})
	t.Run("NoOpenRedirect", func(t *testing.T) {
		// Paying again changes nothing; a next that is not this site's
		// confirmation page is not followed.
		for _, evil := range []string{"https://evil.example/commande/x", s.base + ".evil.example/commande/x",
			strings.Replace(s.base, "http://", "http://user@", 1) + "/commande/x", "//evil.example/commande/x",
			s.base + "/commandes/x", s.base + "/m/x", "javascript:alert(1)//" + s.base + "/commande/", "/commande/x",
			s.base + "/commande/\\\\evil.example", s.base + "@evil.example/commande/"} {
			res, _ := s.send(t, "POST", "/demo/checkout/"+b.session+"?next="+url.QueryEscape(evil), url.Values{}, nil)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/commande/"+b.id {
				t.Errorf("next %q: %d %q", evil, res.StatusCode, loc)
			}
		}
		// Without its token, the order's page says where to find it.
		res, body := s.send(t, "GET", "/commande/"+b.id, nil, nil)
		if res.StatusCode != 404 {
			t.Errorf("%d", res.StatusCode)
		}
		must(t, body, "Commande introuvable", "ouvrez le lien du courriel")
	})
	t.Run("PaymentPageOnceDone", func(t *testing.T) {
		_, body := s.send(t, "GET", page, nil, nil)
		must(t, body, "Cette commande est déjà payée.", "Voir la commande")
	})
	t.Run("Confirmation", func(t *testing.T) {
		res, body := s.send(t, "GET", confirmation, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		vs, err := s.db.OrderVouchers(context.Background(), b.id)
		if err != nil || len(vs) != 1 {
			t.Fatalf("%d vouchers, %v", len(vs), err)
		}
		code := vs[0].Code
		must(t, body, "Merci\u202f! Votre bon est prêt", "Paiement confirmé.", "50,00\u00a0$", "Pour Jo",
			`<img src="/api/v1/vouchers/`+code+`/qr.png" width="296" height="296" alt="Code QR du bon d&#39;achat chez Boulangerie du Quartier`,
			`<span class="code">`+market.GroupCode(code)+`</span>`, `href="/v/`+code+`"`,
			"Un courriel vous a été envoyé à awa@example.org", "Le bon a aussi été envoyé par courriel à jo@example.org.")
		mustNot(t, body, "http-equiv", "data-poll", "en cours de confirmation")
		// The QR code is the API's image.
		if res, _ := s.send(t, "GET", "/api/v1/vouchers/"+code+"/qr.png", nil, nil); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("QR: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		other := s.buy(t)
		for _, path := range []string{"/commande/" + b.id + "?token=" + other.token, "/commande/" + b.id + "?token=",
			"/commande/" + b.id + "?token=" + b.token[:len(b.token)-1], "/commande/ord_nope?token=" + b.token} {
			res, body := s.send(t, "GET", path, nil, nil)
			if res.StatusCode != 404 {
				t.Errorf("%s: %d", path, res.StatusCode)
			}
			must(t, body, "Commande introuvable", `<meta name="robots" content="noindex">`)
			mustNot(t, body, "Boulangerie", "50,00")
			private(t, res)
		}
	})
	t.Run("ErrDemoOff", func(t *testing.T) {
		cfg := s.pages
		cfg.DemoPayments = false
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		other := s.buy(t)
		for _, m := range []string{"GET", "POST"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(m, "/demo/checkout/"+other.session, nil)
			pages.ServeHTTP(rec, req)
			if rec.Code != 404 {
				t.Errorf("%s: %d", m, rec.Code)
			}
		}
		if o, _ := s.db.Order(context.Background(), other.id); o.Status != market.OrderPending {
			t.Errorf("paid with the demo off: %s", o.Status)
		}
	})
}

func TestVoucherPage(t *testing.T) {
	s := newSite(t, nil, false)
	b := s.buy(t)
	if _, _, err := s.checkout.CompleteDemo(context.Background(), b.session); err != nil {
		t.Fatal(err)
	}
	vs, err := s.db.OrderVouchers(context.Background(), b.id)
	if err != nil || len(vs) != 1 {
		t.Fatalf("%d vouchers, %v", len(vs), err)
	}
	code := vs[0].Code
	typed := strings.ToLower(market.GroupCode(code)) // as a person types it from the paper
	for _, path := range []string{"/v/" + typed, "/V/" + code, "/v/" + code,
		strings.TrimPrefix(market.VoucherURL(s.base, code), strings.ToUpper(s.base))} {
		t.Run(path, func(t *testing.T) {
			res, body := s.send(t, "GET", path, nil, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			private(t, res)
			must(t, body, `<meta name="robots" content="noindex">`,
				`<h1><a href="/m/boulangerie-du-quartier">Boulangerie du Quartier</a></h1>`, "<address>1375, avenue du Mont-Royal Est, H2J 1Y6<br>Montréal</address>",
				`<span class="balance-label">Solde</span> 50,00`+"\u00a0$", "<dt>Valeur initiale</dt><dd>50,00\u00a0$</dd>",
				"<dd>Valide</dd>", "<dd>Jo</dd>", "<blockquote>Bon appétit !\n&lt;b&gt;Jo&lt;/b&gt;</blockquote>",
				`src="/api/v1/vouchers/`+code+`/qr.png"`, `<span class="code">`+market.GroupCode(code)+`</span>`,
				"n&#39;expire jamais et ne comporte aucuns frais", "À utiliser chez Boulangerie du Quartier",
				"Le solde se consulte en tout temps sur cette page", `data-print hidden>Imprimer le bon`,
				`<link rel="canonical" href="`+s.base+`/v/`+code+`">`)
			mustNot(t, body, "<b>Jo</b>", "jo@example.org")
		})
	}
	t.Run("Bonus", func(t *testing.T) {
		// A credit from a cancelled event may carry a bonus, which expires:
		// it is counted while it lasts, and said apart.
		for _, tc := range []struct {
			ends         time.Time
			want, nowant []string
		}{
			{time.Date(2031, 3, 1, 17, 0, 0, 0, time.UTC), []string{"</span> 60,00\u00a0$", "Dont 10,00\u00a0$ de bonus, valable jusqu&#39;au samedi 1er mars 2031 à 12 h."}, nil},
			{time.Now().Add(-time.Hour), []string{"</span> 50,00\u00a0$"}, []string{"bonus"}},
		} {
			v := *vs[0]
			v.Bonus, v.BonusExpiresAt = 1000, tc.ends
			cfg := s.pages
			cfg.Orders = voucherOf{cfg.Orders, &v}
			pages, err := frontend.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			pages.ServeHTTP(rec, httptest.NewRequest("GET", "/v/"+code, nil))
			must(t, rec.Body.String(), tc.want...)
			mustNot(t, rec.Body.String(), tc.nowant...)
		}
	})
	t.Run("InEnglish", func(t *testing.T) {
		_, body := s.send(t, "GET", "/v/"+code, nil, map[string]string{"Accept-Language": "en"})
		must(t, body, "<span class=\"balance-label\">Balance</span> $50.00", "never expires", "Print the certificate")
		mustNot(t, body, "blocked", "cancelled")
	})
	t.Run("Disputed", func(t *testing.T) {
		// The buyer's bank contests the payment: the voucher is frozen,
		// its value kept, and its page says so in plain words.
		ctx := context.Background()
		if out, err := s.db.OpenDispute(ctx, "evt_dispute_"+b.id, "demo_pi_"+b.id, &market.Dispute{ID: "dp_" + b.id, Status: "needs_response"},
			time.Now()); err != nil || out != market.OutcomeDisputeOpened {
			t.Fatalf("dispute: %s %v", out, err)
		}
		_, body := s.send(t, "GET", "/v/"+code, nil, nil)
		must(t, body, "Ce bon est bloqué\u00a0: son paiement est contesté auprès de la banque. Il ne peut pas être utilisé pour l&#39;instant.",
			"<dd>Bloqué (paiement contesté)</dd>", `<span class="balance-label">Solde</span> 50,00`+"\u00a0$")
		mustNot(t, body, "<dd>Valide</dd>")
		_, body = s.send(t, "GET", "/v/"+code, nil, map[string]string{"Accept-Language": "en"})
		must(t, body, "This voucher is blocked: its payment is disputed with the bank. It cannot be used for now.", "<dd>Blocked (payment disputed)</dd>")

		// Lost: the voucher is void.
		if out, err := s.db.CloseDispute(ctx, "evt_dispute_lost_"+b.id, "demo_pi_"+b.id, &market.Dispute{ID: "dp_" + b.id, Status: "lost"},
			time.Now()); err != nil || out != market.OutcomeDisputeLost {
			t.Fatalf("dispute lost: %s %v", out, err)
		}
		_, body = s.send(t, "GET", "/v/"+code, nil, nil)
		must(t, body, "Ce bon est annulé\u00a0: il ne peut plus être utilisé.", "<dd>Annulé</dd>", "</span> 0,00\u00a0$")
		mustNot(t, body, "bloqué")
	})
	for _, path := range []string{"/v/0123456789ABCDEFGHJK", "/V/nope", "/v/" + code[:19], "/v/" + code + "0"} {
		t.Run("ErrUnknown"+path, func(t *testing.T) {
			res, body := s.send(t, "GET", path, nil, nil)
			if res.StatusCode != 404 {
				t.Fatalf("%d", res.StatusCode)
			}
			must(t, body, "Bon introuvable", "20 caractères")
		})
	}
	t.Run("Robots", func(t *testing.T) {
		_, body := s.send(t, "GET", "/robots.txt", nil, nil)
		for _, p := range []string{"/v/", "/V/", "/commande/", "/demo/"} {
			if !regexp.MustCompile(`(?m)^Disallow: ` + regexp.QuoteMeta(p) + `$`).MatchString(body) {
				t.Errorf("robots.txt does not keep crawlers off %s:\n%s", p, body)
			}
		}
	})
}

// voucherOf is the store, but for the voucher it always returns.
type voucherOf struct {
	frontend.Orders
	v *market.Voucher
}

func (o voucherOf) Voucher(context.Context, string) (*market.Voucher, error) { return o.v, nil }
