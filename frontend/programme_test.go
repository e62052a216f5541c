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

const sherbrooke = "/p/dollars-solidaires-sherbrooke"

// nb writes a French amount as the pages do, with its no-break spaces:
// "5 000,00 $".
func nb(s string) string {
	return strings.NewReplacer(" $", "\u00a0$", "5 000", "5\u202f000").Replace(s)
}

// TestProgrammePage checks a town's card page, without JavaScript: what
// the card is and gives, the fund left, the caps, the dates and what the
// law asks to say, the shops that take it (searched on the server), and
// the purchase form; in French and in English; and the links to it from
// the home page and the shops' pages.
func TestProgrammePage(t *testing.T) {
	s := newSite(t, nil, false)
	en := map[string]string{"Accept-Language": "en"}
	for _, sc := range []scenario{
		{name: "the card's page", path: sherbrooke, status: 200,
			want: append([]string{"<title>Dollars solidaires Sherbrooke, Sherbrooke — Solidaire</title>", "<h1>Dollars solidaires Sherbrooke</h1>",
				`<span class="tag">Carte solidaire</span>`, "20 $ deviennent 30 $",
				nb("Il reste 5 000,00 $ de bonification"), nb("sur un fonds de 5 000,00 $."), `<progress max="100" value="100"`,
				nb("<dt>Carte de 20,00 $ à 49,99 $</dt><dd>&#43;10,00 $ de bonus</dd>"), nb("<dt>Carte de 50,00 $ et plus</dt><dd>&#43;50,00 $ de bonus</dd>"),
				nb("2 cartes et 200,00 $ au plus par personne."), "En vente du ", "Le bonus expire le ",
				"n&#39;expire jamais et ne comporte aucuns frais", "commerces participants de Sherbrooke", "Le solde (valeur payée et bonus à part)",
				`action="/p/dollars-solidaires-sherbrooke/acheter"`, `data-kind="programme_card"`, `data-programme="dollars-solidaires-sherbrooke"`,
				`name="amount" value="2000"`, `name="amount" value="5000"`, `data-rule="{&#34;max&#34;:0,&#34;percent&#34;:0,&#34;tiers&#34;:[[2000,1000],[5000,5000]]}"`,
				"Choisissez un montant\u00a0: votre bonus s&#39;affiche ici.", `data-buy-nobonus-box hidden`,
				"5 commerces participants", `href="/m/casse-croute-chez-rejeanne"`, `href="/m/cafe-des-cantons"`, `href="/m/plein-air-bellevue"`,
				`href="/m/bouquinerie-du-lac-des-nations"`, `href="/m/epicerie-du-vieux-nord"`, `<li data-name="cafe des cantons" data-category="cafe">`,
				`action="/p/dollars-solidaires-sherbrooke#commerces" method="get" role="search"`, `data-waitlist-box hidden>`}, shareTags...),
			absent: []string{"studio-danse-wellington", "boulangerie-du-quartier", `data-waitlist-box>`, "without_bonus\" value=\"1\">", " hidden>\n        <article", "Offrir un bon"}},
		{name: "in English", path: sherbrooke, header: en, status: 200,
			want: []string{`<html lang="en">`, "$5,000.00 of bonus left to give", "<dt>Card of $20.00 to $49.99</dt><dd>&#43;$10.00 bonus</dd>",
				"At most 2 cards and $200.00 per person.", "The bonus expires on ", "5 participating shops", "Buy the card",
				"The paid value never expires and carries no fees"}},
		{name: "the shops searched without JavaScript", path: sherbrooke + "?q=Cafe&categorie=", status: 200,
			want: []string{"1 commerce trouvé", `<li data-name="casse-croute chez rejeanne" data-category="restaurant" hidden>`,
				`<li data-name="cafe des cantons" data-category="cafe">`, `value="Cafe"`}},
		{name: "the shops of a category", path: sherbrooke + "?categorie=librairie", status: 200,
			want: []string{"1 commerce trouvé", `<option value="librairie" selected>`, `<li data-name="bouquinerie du lac-des-nations" data-category="librairie">`}},
		{name: "no shop found", path: sherbrooke + "?q=zzz", status: 200, want: []string{"Aucun commerce participant ne correspond."}},
		{name: "an unknown programme", path: "/p/nope", status: 404},
		{name: "a slug that cannot be one", path: "/p/Nope!", status: 404},
		{name: "HEAD", method: "HEAD", path: sherbrooke, status: 200},
		{name: "the form's address leads to the form", path: sherbrooke + "/acheter?lang=en", status: 200, want: []string{`<html lang="en">`}},
		{name: "home", path: "/", status: 200,
			want: []string{"Cartes solidaires de votre ville", `<a href="/p/dollars-solidaires-sherbrooke">Dollars solidaires Sherbrooke</a>`,
				nb("Jusqu&#39;à 50,00 $ de bonus par carte"), `href="/p/dollars-solidaires-sherbrooke#carte">Acheter une carte<span class="visually-hidden"> — Dollars solidaires Sherbrooke`}},
		{name: "home, in Sherbrooke", path: "/?city=Sherbrooke", status: 200, want: []string{`href="/p/dollars-solidaires-sherbrooke"`}},
		{name: "home, in Lyon", path: "/?city=Lyon", status: 200, absent: []string{"/p/dollars-solidaires-sherbrooke", "Cartes solidaires"}},
		{name: "home in English", path: "/", header: en, status: 200, want: []string{"Your town&#39;s solidarity cards", "Up to $50.00 bonus per card"}},
		{name: "a shop that takes the card", path: "/m/cafe-des-cantons", status: 200,
			want: []string{`<a href="/p/dollars-solidaires-sherbrooke">Ce commerce accepte la carte Dollars solidaires Sherbrooke</a>`}},
		{name: "a shop that takes the card, in English", path: "/m/cafe-des-cantons", header: en, status: 200,
			want: []string{">This shop accepts the Dollars solidaires Sherbrooke card</a>"}},
		{name: "a shop that does not", path: boulangerie, status: 200, absent: []string{"/p/dollars-solidaires-sherbrooke"}},
		{name: "robots", path: "/robots.txt", status: 200, ctype: "text/plain", want: []string{"Disallow: /p/*/acheter", "Disallow: /p/*/attente"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, s.base) })
	}

	t.Run("the programme's seller leads to the programme", func(t *testing.T) {
		// Stripe's cancel link names the seller of record, which has no page.
		res, _ := s.send(t, "GET", "/m/programme-dollars-solidaires-sherbrooke?annule=1", nil, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != sherbrooke+"?annule=1" {
			t.Errorf("%d %q", res.StatusCode, loc)
		}
		_, body := s.send(t, "GET", sherbrooke+"?annule=1", nil, nil)
		must(t, body, "Paiement annulé\u00a0: rien n&#39;a été prélevé.")
	})
}

// cardForm is the card's purchase form filled for a card of 50,00 $.
func cardForm(email string) url.Values {
	return url.Values{"amount": {"5000"}, "amount_other": {""}, "for": {"self"}, "recipient_name": {""},
		"recipient_email": {""}, "message": {""}, "email": {email}, "name": {"Awa"}}
}

// TestProgrammeWithoutJavaScript buys a card with the form alone: the
// errors, the per-person cap, then the payment and the pages that show the
// card.
func TestProgrammeWithoutJavaScript(t *testing.T) {
	s := newSite(t, nil, false)
	acheter := sherbrooke + "/acheter"
	refused := func(t *testing.T, form url.Values, header map[string]string, status int) string {
		t.Helper()
		before := s.pending(t)
		res, body := s.send(t, "POST", acheter, form, header)
		if res.StatusCode != status {
			t.Fatalf("status %d, want %d\n%.2000s", res.StatusCode, status, body)
		}
		if n := s.pending(t); n != before {
			t.Errorf("%d orders written by a refused form", n-before)
		}
		if status != http.StatusForbidden {
			private(t, res)
			if !regexp.MustCompile("<title>(Erreur\u00a0:|Error:) Dollars solidaires Sherbrooke").MatchString(body) {
				t.Error("the title does not start with the error")
			}
		}
		return body
	}

	t.Run("ErrAmount", func(t *testing.T) {
		msg := nb("Choisissez un montant de 20,00 $ à 100,00 $, par exemple 25 ou 25,50.")
		body := refused(t, with(cardForm("awa@example.org"), "amount", "", "amount_other", "5"), nil, 400)
		must(t, body, `<span class="field-error" id="montant-autre-error">`+html.EscapeString(msg)+`</span>`,
			`value="5" aria-describedby="montant-autre-hint montant-autre-error" aria-invalid="true"`, "autofocus", `value="awa@example.org"`)
	})
	t.Run("ErrEmail", func(t *testing.T) {
		body := refused(t, with(cardForm("awa-at-example"), "amount_other", "30"), nil, 400)
		must(t, body, `id="courriel-error">Saisissez votre adresse courriel`, `value="30"`,
			nb("<strong data-card-bonus>&#43;10,00 $ de bonus</strong>"), nb("<span data-card-spend>40,00 $ à dépenser</span>"))
	})
	t.Run("ErrInEnglish", func(t *testing.T) {
		body := refused(t, with(cardForm("awa@example.org"), "amount", "", "amount_other", "500"), map[string]string{"Accept-Language": "en"}, 400)
		must(t, body, "<title>Error: Dollars", "Choose an amount from $20.00 to $100.00")
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		body := refused(t, cardForm("awa@example.org"), map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403)
		must(t, body, "Requête refusée")
	})
	t.Run("ErrCapReached", func(t *testing.T) {
		// Two cards waiting for their payment are the cap of one person
		// (the "+" part of an address is the same person).
		for _, email := range []string{"cap@example.org", "cap+2@example.org"} {
			if res, body := s.send(t, "POST", acheter, cardForm(email), nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%.500s", email, res.StatusCode, body)
			}
		}
		body := refused(t, with(cardForm("Cap@example.org"), "amount", "2000"), nil, http.StatusConflict)
		must(t, body, `role="alert" data-buy-error>Vous avez atteint la limite de ce programme. `+nb("2 cartes et 200,00 $ au plus par personne."),
			`name="amount" value="2000" checked`)
		body = refused(t, with(cardForm("cap@example.org"), "amount", "2000"), map[string]string{"Accept-Language": "en"}, http.StatusConflict)
		must(t, body, "You have reached this programme&#39;s limit. At most 2 cards and $200.00 per person.")
	})
	t.Run("ErrUnknownProgramme", func(t *testing.T) {
		res, _ := s.send(t, "POST", "/p/nope/acheter", cardForm("awa@example.org"), nil)
		if res.StatusCode != 404 {
			t.Errorf("%d", res.StatusCode)
		}
	})

	var code string
	t.Run("BuyAndPay", func(t *testing.T) {
		res, body := s.send(t, "POST", acheter, with(cardForm("awa@example.org"), "for", "gift", "recipient_name", "Jo",
			"message", "Bonne poutine !"), nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, s.base+"/demo/checkout/demo_cs_") {
			t.Fatalf("%d %q\n%.500s", res.StatusCode, loc, body)
		}
		u, _ := url.Parse(loc)
		o, err := s.db.OrderBySession(context.Background(), strings.TrimPrefix(u.Path, "/demo/checkout/"))
		if err != nil {
			t.Fatal(err)
		}
		if it := o.Items[0]; o.Total != 5000 || it.Kind != market.KindProgrammeCard || it.Bonus != 5000 || it.RecipientName != "Jo" {
			t.Fatalf("order %+v, item %+v", o, it)
		}

		// The payment page names the programme, and leads back to it.
		_, body = s.send(t, "GET", u.RequestURI(), nil, nil)
		must(t, body, "<dt>Carte solidaire</dt><dd><a href=\"/p/dollars-solidaires-sherbrooke\">Dollars solidaires Sherbrooke</a></dd>",
			`<a href="/p/dollars-solidaires-sherbrooke?annule=1">Annuler et revenir au programme</a>`)
		mustNot(t, body, "/m/programme-")
		res, _ = s.send(t, "POST", u.RequestURI(), url.Values{}, nil)
		next := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(next, s.base+"/commande/") {
			t.Fatalf("pay: %d %q", res.StatusCode, next)
		}

		// The confirmation: a card, where it is spent, value and bonus.
		res, body = s.send(t, "GET", strings.TrimPrefix(next, s.base), nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "Merci\u202f! Votre carte est prête", `<p class="eyebrow">Carte solidaire</p>`,
			nb(`<span class="balance-label">Solde</span> 100,00 $`), "<strong>Valable dans les commerces participants</strong>",
			`<a href="/p/dollars-solidaires-sherbrooke#commerces">Voir les commerces participants</a>`,
			nb("<dt>Valeur payée</dt><dd>50,00 $</dd>"), nb("<dt>Bonus</dt><dd>50,00 $, jusqu&#39;au "), "Ouvrir la page de la carte",
			`alt="Code QR de la carte Dollars solidaires Sherbrooke, à présenter au commerce"`,
			"<dt>Carte solidaire</dt><dd><a href=\"/p/dollars-solidaires-sherbrooke\">Dollars solidaires Sherbrooke</a>")
		mustNot(t, body, "/m/programme-")
		m := regexp.MustCompile(`href="/v/([0-9A-Z]{20})"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no card's page linked")
		}
		code = m[1]
	})
	t.Run("TheCardsPage", func(t *testing.T) {
		if code == "" {
			t.Fatal("no card's page to open: the purchase above failed")
		}
		res, body := s.send(t, "GET", "/v/"+code, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d", res.StatusCode)
		}
		private(t, res)
		must(t, body, "<title>Carte Dollars solidaires Sherbrooke — Solidaire</title>", `<p class="eyebrow">Carte solidaire</p>`,
			`<h1><a href="/p/dollars-solidaires-sherbrooke">Dollars solidaires Sherbrooke</a></h1>`, "Valable dans les commerces participants",
			nb(`Solde</span> 100,00 $`), nb("<dt>Valeur payée</dt><dd>50,00 $</dd>"), "À utiliser dans les commerces participants de la carte",
			"Le bonus expire le ", "Pour", "Jo")
		_, body = s.send(t, "GET", "/v/"+code, nil, map[string]string{"Accept-Language": "en"})
		must(t, body, "<title>Dollars solidaires Sherbrooke card — Solidaire</title>", "Valid at the participating shops",
			"<dt>Paid value</dt><dd>$50.00</dd>", "<dt>Bonus</dt><dd>$50.00, until ")
	})
}

// TestProgrammeFundSpent checks the page of a programme whose fund is
// spent: it says so plainly, sells the card without bonus, and offers its
// waiting list; a checkout the fund cannot cover is explained, never an
// error page; and a programme not on sale says when it is.
func TestProgrammeFundSpent(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	create := func(t *testing.T, slug string, fund int64, change func(*market.Programme)) string {
		t.Helper()
		p := &market.Programme{Slug: slug, Name: "Carte " + slug, City: "Magog", Currency: market.CAD,
			Description: "Une carte pour les commerces de Magog.", Fund: market.Fund{Total: fund},
			Bonus:     market.BonusRule{Tiers: []market.Tier{{From: 2000, Bonus: 1000}, {From: 5000, Bonus: 5000}}},
			MinAmount: 2000, MaxAmount: 10000, Caps: market.Caps{CardsPerBuyer: 5},
			BonusExpiresAt: time.Now().AddDate(0, 6, 0), Waitlist: true, Status: market.ProgrammeActive}
		if change != nil {
			change(p)
		}
		if err := s.db.CreateProgramme(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		return "/p/" + slug
	}

	spent := create(t, "magog-epuise", 0, nil)
	t.Run("the page", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			res, body := s.send(t, "GET", spent+"?lang="+lang, nil, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if lang == "fr" {
				must(t, body, "Le fonds de bonification est épuisé", "La carte reste en vente, sans bonus", `<input type="hidden" name="without_bonus" value="1">`,
					"Être prévenu si le fonds est renfloué", `action="/p/magog-epuise/attente"`, `data-waitlist="magog-epuise"`,
					"M&#39;inscrire sur la liste d&#39;attente")
				mustNot(t, body, "Il reste")
			} else {
				must(t, body, "The matching fund is spent", "Put me on the waiting list", "Every bonus has been given")
			}
		}
	})
	t.Run("the card without bonus", func(t *testing.T) {
		res, body := s.send(t, "POST", spent+"/acheter", with(cardForm("nobonus@example.org"), "without_bonus", "1"), nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%d\n%.800s", res.StatusCode, body)
		}
		u, _ := url.Parse(res.Header.Get("Location"))
		o, err := s.db.OrderBySession(ctx, strings.TrimPrefix(u.Path, "/demo/checkout/"))
		if err != nil {
			t.Fatal(err)
		}
		if it := o.Items[0]; it.Bonus != 0 || o.Total != 5000 {
			t.Errorf("item %+v", it)
		}
	})
	t.Run("a stale page that asks for the bonus", func(t *testing.T) {
		res, body := s.send(t, "POST", spent+"/acheter", cardForm("stale@example.org"), nil)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("%d\n%.800s", res.StatusCode, body)
		}
		must(t, body, "Le fonds de bonification ne peut plus couvrir le bonus de ce montant.", "Le fonds de bonification est épuisé",
			`data-buy-nobonus-box>`, `name="without_bonus" value="1" data-buy-nobonus autofocus`, `value="stale@example.org"`)
	})
	t.Run("the waiting list", func(t *testing.T) {
		res, body := s.send(t, "POST", spent+"/attente", url.Values{"email": {"Attente@Example.org"}}, nil)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != spent+"?attente=1#attente" {
			t.Fatalf("%d %q\n%.500s", res.StatusCode, loc, body)
		}
		_, body = s.send(t, "GET", spent+"?attente=1", nil, nil)
		must(t, body, "role=\"status\" data-waitlist-done>C&#39;est noté\u00a0: vous êtes sur la liste d&#39;attente.")
		p, err := s.db.Programme(ctx, "magog-epuise")
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.db.ProgrammeStats(ctx, p.ID)
		if err != nil || st.Waitlist != 1 {
			t.Errorf("waitlist %v %v", st, err)
		}
		res, body = s.send(t, "POST", spent+"/attente", url.Values{"email": {"nope"}}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%d", res.StatusCode)
		}
		must(t, body, `id="attente-courriel-error">Saisissez votre adresse courriel`, `value="nope"`)
		res, _ = s.send(t, "POST", sherbrooke+"/attente", url.Values{"email": {"a@example.org"}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site: %d", res.StatusCode)
		}
	})

	partly := create(t, "magog-presque", 3000, nil)
	t.Run("a fund that cannot cover this amount", func(t *testing.T) {
		_, body := s.send(t, "GET", partly, nil, nil)
		must(t, body, nb("Il reste 30,00 $ de bonification"))
		res, body := s.send(t, "POST", partly+"/acheter", cardForm("big@example.org"), nil)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("%d\n%.800s", res.StatusCode, body)
		}
		must(t, body, "ne peut plus couvrir le bonus de ce montant", `data-buy-nobonus-box>`, nb("Il reste 30,00 $ de bonification"),
			`data-waitlist-box>`)
		mustNot(t, body, `name="without_bonus" value="1">`)
		res, _ = s.send(t, "POST", partly+"/acheter", with(cardForm("big@example.org"), "amount", "2000"), nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("a smaller card: %d", res.StatusCode)
		}
	})

	soon := create(t, "magog-bientot", 1000, func(p *market.Programme) { p.SalesOpenAt = time.Now().AddDate(0, 0, 3) })
	t.Run("not on sale yet", func(t *testing.T) {
		_, body := s.send(t, "GET", soon, nil, nil)
		must(t, body, "La vente des cartes ouvre le ")
		mustNot(t, body, `data-buy `, "data-buy\n")
		res, body := s.send(t, "POST", soon+"/acheter", cardForm("early@example.org"), nil)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("%d", res.StatusCode)
		}
		must(t, body, `role="alert">Les cartes de ce programme ne sont pas en vente en ce moment`, "La vente des cartes ouvre le ")
	})
}

// TestProgrammeSides checks the shells of the programme's other sides: the
// organiser's list and dashboard, the admin's form, the dashboard's panel
// and the till, with the strings their islands need, in both languages.
func TestProgrammeSides(t *testing.T) {
	s := newSite(t, merchantBundle, false)
	for _, sc := range []scenario{
		{name: "the organiser's programmes", path: "/organisation/programmes", status: 200,
			want: []string{"<h1>Vos programmes</h1>", `data-org="programmes"`, `href="/organisation/programmes" aria-current="true">Programmes</a>`,
				`data-programme-list`, `<meta name="robots" content="noindex">`}},
		{name: "a programme's dashboard", path: "/organisation/programmes/" + strings.TrimPrefix(sherbrooke, "/p/"), status: 200,
			want: []string{`data-org="programme" data-id="dollars-solidaires-sherbrooke"`, `href="/p/dollars-solidaires-sherbrooke"`,
				`data-kpi="sold"`, "Fonds de bonification", "Dépensé par commerce", "Dépensé par catégorie", "Régler les commerces",
				`id="reglement-jusquau" name="until" type="date"`, ">Aperçu</button>", "Lancer le règlement", `<dialog class="confirm-dialog"`,
				`href="/api/v1/organiser/programmes/dollars-solidaires-sherbrooke/settlements?format=csv" download`,
				"Les encaissements des 30 dernières minutes attendent le règlement suivant"}},
		{name: "a programme's dashboard in English", path: "/organisation/programmes/x?lang=en", status: 200,
			want: []string{"Settle with the shops", "Run the settlement", "Spent by shop"}},
		{name: "a slug that cannot be one", path: "/organisation/programmes/Nope!", status: 404},
		{name: "the admin's form", path: "/admin", status: 200,
			want: []string{"<h2 id=\"nouveau-programme\">Créer un programme</h2>", `data-programme-form`, `id="programme-nom" name="name"`,
				`id="programme-ville" name="city"`, `name="currency"`, `id="programme-fonds" name="fund"`, `data-api-field="fund fund.currency"`,
				`name="bonus_kind" value="tiers" checked`, `data-tiers`, `id="programme-pourcentage" name="percent"`, `data-api-field="bonus.percent bonus"`,
				`id="programme-fin-bonus" name="bonus_expires_at" type="date"`, `name="sales_close_at"`, `name="waitlist" checked`,
				`id="programme-organisateurs" name="organisers"`, "Indiquez la ville du programme."}},
		{name: "the admin's form in English", path: "/admin?lang=en", status: 200, want: []string{"Create a programme", "Matching fund", "End of the bonus"}},
		{name: "the dashboard's panel", path: "/commerce", status: 200,
			want: []string{"Cartes solidaires de la ville", "data-prog-list", "data-prog-open", `data-need="manage"`}},
		{name: "the till", path: "/caisse", status: 200, want: []string{"data-v-programme"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, s.base) })
	}

	t.Run("the islands' strings", func(t *testing.T) {
		blob := regexp.MustCompile(`(?s)<script type="application/json" id="side-messages">(.*?)</script>`)
		for path, want := range map[string][]string{
			"/caisse":         {`"till.card":"Carte %s"`, `"till.card.note":`, `"till.notmember":`},
			"/caisse?lang=en": {`"till.card.for":"%s card for %s"`},
			"/commerce":       {`"dash.prog.join.confirm":`, `"dash.prog.leave.confirm":`, `"dash.prog.statements.csv":`},
			"/admin":          {`"admin.prog.created":`, `"admin.prog.tier.add":`, `"admin.prog.error.tier":`},
		} {
			_, body := s.send(t, "GET", path, nil, nil)
			m := blob.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no messages", path)
			}
			must(t, html.UnescapeString(m[1]), want...)
		}
		for lang, want := range map[string]string{"fr": "Lancer le règlement\u202f?", "en": "Run the settlement?"} {
			res, err := http.Get(s.base + "/organisation/programmes/x?lang=" + lang)
			if err != nil {
				t.Fatal(err)
			}
			text := islandText(t, readAll(t, res))
			if text["org.prog.settle.confirm"] != want || text["category.cafe"] == "" || text["org.prog.remove.text"] == "" {
				t.Errorf("%s: %q %q", lang, text["org.prog.settle.confirm"], text["category.cafe"])
			}
		}
	})
}
