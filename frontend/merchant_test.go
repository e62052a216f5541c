package frontend_test

import (
	"bytes"
	"encoding/json"
	"html"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/makiuchi-d/gozxing"
	zxqrcode "github.com/makiuchi-d/gozxing/qrcode"
)

// merchantBundle stands in for the built islands, so that the pages name
// them whether or not npm ran before the test binary was compiled.
var merchantBundle = fstest.MapFS{
	"app.js":      {Data: []byte("// app")},
	"merchant.js": {Data: []byte("// merchant")},
	"till-qr.js":  {Data: []byte("// decoder")},
}

// TestMerchantPages checks the merchant side's shells: they render in
// French (and English), name their island and its strings, keep what a
// signed-in person sees or a mailed code out of caches and Referer
// headers, and never let a sign-in send anyone to another site.
func TestMerchantPages(t *testing.T) {
	base := startSite(t, merchantBundle, false)
	const code = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"
	private := func(t *testing.T, res *http.Response, _ []byte) {
		t.Helper()
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		if rp := res.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("Referrer-Policy %q, want no-referrer", rp)
		}
	}
	island := []string{`<script type="module" src="/static/merchant.js?v=`, `<script type="application/json" id="side-messages">`,
		`<meta name="robots" content="noindex">`, `aria-current="true">Espace commerçant</a>`}
	for _, sc := range []scenario{
		{name: "sign-in", path: "/connexion", status: 200, check: private, absent: []string{"data-next"},
			want: append([]string{"<title>Connexion — Solidaire</title>", "<h1>Espace commerçant</h1>", `<label for="connexion-courriel">Courriel</label>`,
				`autocomplete="current-password"`, "Mot de passe oublié", `href="/connexion/oubli"`,
				`href="/commerce/inscription"`, `method="post"`, `<div data-code-field hidden>`, `<label for="connexion-code">Code de connexion</label>`,
				`autocomplete="one-time-code"`}, island...)},
		{name: "sign-in goes back where it came from", path: "/connexion?next=/commerce%3Fx%3D1", status: 200,
			want: []string{`data-next="/commerce?x=1"`}},
		{name: "sign-in never sends to another site", path: "/connexion?next=https://evil.example/", status: 200,
			absent: []string{`data-next`}},
		{name: "sign-in never sends to another site, scheme-relative", path: "/connexion?next=//evil.example/", status: 200,
			absent: []string{`data-next`}},
		{name: "signed out", path: "/connexion?fin=1", status: 200, want: []string{"Session fermée. À bientôt"}},
		{name: "sign-in in English", path: "/connexion?lang=en", status: 200,
			want: []string{`<html lang="en">`, "Merchant area", "Forgot your password?", ">Sign in</button>"}},
		{name: "forgotten password", path: "/connexion/oubli", status: 200, check: private,
			want: []string{"<h1>Mot de passe oublié</h1>", "Envoyer le lien", `data-form="forgot"`, `type="email"`}},
		{name: "new password", path: "/connexion/nouveau-mot-de-passe?code=" + code, status: 200, check: private,
			want: []string{"Choisir un nouveau mot de passe", `data-code="` + code + `"`, `autocomplete="new-password"`, "8 caractères au moins"}},
		{name: "new password without its code", path: "/connexion/nouveau-mot-de-passe", status: 200,
			want: []string{"Ce lien est incomplet", `href="/connexion/oubli"`}, absent: []string{`data-form="reset"`}},
		{name: "invitation", path: "/connexion/invitation?code=" + code, status: 200, check: private,
			want: []string{"Rejoindre l&#39;équipe d&#39;un commerce", `data-code="` + code + `"`, "Votre nom", "Rejoindre l&#39;équipe</button>"}},
		{name: "invitation with a forged code", path: "/connexion/invitation?code=%3Cscript%3E", status: 200,
			want: []string{"Ce lien d&#39;invitation est incomplet"}, absent: []string{"data-code", "<script>"}},
		{name: "till", path: "/caisse", status: 200, check: private,
			want: append([]string{"<title>Caisse — Solidaire</title>", "Scanner le code QR", `<label for="code">Code du bon ou du billet</label>`,
				`autocapitalize="characters"`, `inputmode="decimal"`, "Montant à encaisser", `aria-label="Tout le solde"`, ">Tout</button>",
				"Annuler cet encaissement", "Valider l&#39;entrée", `role="alert"`, `role="status"`, `data-decoder="/static/till-qr.js?v=`,
				`playsinline`}, island...)},
		{name: "till in English", path: "/caisse", header: map[string]string{"Accept-Language": "en"}, status: 200,
			want: []string{"Scan the QR code", "Amount to redeem", "Undo this redemption"}},
		{name: "pairing a till", path: "/caisse/jumeler?code=" + code, status: 200, check: private,
			want: []string{"Jumeler cette caisse", "Jumeler cet appareil", `data-code="` + code + `"`}},
		{name: "pairing without a code", path: "/caisse/jumeler", status: 200,
			want: []string{"Il manque le code de jumelage"}, absent: []string{"data-pair"}},
		{name: "dashboard", path: "/commerce", status: 200, check: private,
			want: append([]string{"<title>Tableau de bord — Solidaire</title>", "Ouvrir la caisse", "Encaissé aujourd&#39;hui",
				"Solde à honorer", "Journal des opérations", `action="/api/v1/merchant/ledger"`, `name="format" value="csv"`,
				"Télécharger (CSV)", "Équipe", "Caisses jumelées", "Jumeler une nouvelle caisse", "Paiements en ligne",
				`<label for="journal-du">Du</label>`, `type="date"`}, island...)},
		{name: "payments", path: "/commerce/paiements", status: 200, check: private,
			want: append([]string{"<title>Paiements en ligne — Solidaire</title>", `role="status" data-status>Vérification auprès de Stripe…</p>`,
				`role="alert"`, "Ce que Stripe attend encore", `aria-busy="true"`, "Site de démonstration : les paiements sont simulés",
				`href="/commerce">Retour au tableau de bord`}, island...),
			absent: []string{"data-arrival"}},
		{name: "back from Stripe", path: "/commerce/paiements?retour=1", status: 200, check: private,
			want: []string{`data-arrival="retour"`, `data-status>Merci` + "\u202f" + `! Nous vérifions auprès de Stripe…</p>`, "Retour au tableau de bord"}},
		{name: "back from Stripe, in English", path: "/commerce/paiements?retour=1&lang=en", status: 200,
			want: []string{`<html lang="en">`, "Thank you! We are checking with Stripe…", "What Stripe still needs:", "Back to the dashboard"}},
		{name: "back from Stripe, link expired", path: "/commerce/paiements?refresh=1", status: 200,
			want: []string{`data-arrival="refresh"`, "Le lien de Stripe avait expiré\u00a0: nous en demandons un nouveau, puis vous y allez."}},
		{name: "applying to sell", path: "/commerce/inscription", status: 200,
			want: []string{"<h1>Inscrire mon commerce</h1>", "NEQ", "SIRET", `<option value="boulangerie">Boulangerie-pâtisserie</option>`,
				`value="cad" checked`, "Dollar canadien", `data-api-field="business.registration"`, `autocomplete="new-password"`,
				"Envoyer la demande", `maxlength="280"`,
				// The city comes from the list of cities, offered as suggestions.
				`list="villes"`, `<datalist id="villes">`, `<option value="Montréal"></option>`, `<option value="Lyon"></option>`,
				`aria-describedby="commerce-ville-hint commerce-ville-error"`, `data-api-field="business.city"`},
			absent: []string{`content="noindex"`},
			check: func(t *testing.T, res *http.Response, _ []byte) {
				if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
					t.Errorf("Cache-Control %q: the application page is public", cc)
				}
			}},
		{name: "admin", path: "/admin", status: 200, check: private,
			want: []string{"<h1>Administration</h1>", "Commandes à examiner", "Aucune commande à examiner.", "remboursez-la",
				`<h2 id="en-attente" tabindex="-1">Commerces</h2>`, `<option value="refused">Refusés`, "Courriels", `<option value="held">Retenus`}},
		{name: "admin in English", path: "/admin?lang=en", status: 200,
			want: []string{"Orders to review", "No order to review."}},
		{name: "HEAD of the till", method: "HEAD", path: "/caisse", status: 200},
		{name: "nav link on every page", path: "/", status: 200, want: []string{`<a href="/commerce">Espace commerçant</a>`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}
}

// TestMerchantMessages checks what the pages hand their island: valid
// JSON, in the page's language, with the strings the island formats.
func TestMerchantMessages(t *testing.T) {
	base := startSite(t, merchantBundle, false)
	blob := regexp.MustCompile(`(?s)<script type="application/json" id="side-messages">(.*?)</script>`)
	for path, want := range map[string]map[string]string{
		"/caisse": {"till.insufficient": "Solde insuffisant\u00a0: il ne reste que %s sur ce bon. Rien n'a été encaissé.", "api.busy": "Trop de tentatives en peu de temps\u00a0: attendez %s secondes, puis réessayez.",
			"till.disputed": "Bon bloqué\u00a0: paiement contesté", "till.ticket.exchanged": "Billet échangé\u00a0: son détenteur a choisi %s. Il ne donne plus accès à la salle."},
		"/caisse?lang=en&x=1": {"till.bonus": "Including %s of bonus, valid until %s. The paid value (%s) never expires."},
		"/commerce/paiements": {"payments.ready": "Vos paiements sont prêts\u00a0: vos bons sont en vente.", "payments.continue": "Continuer avec Stripe"},
		"/commerce/paiements?lang=en": {"payments.due.external_account": "the bank account to receive payouts",
			"payments.due.individual.verification.document": "an identity document", "payments.reason.under_review": "Stripe is reviewing the account; it usually takes one or two business days."},
		"/caisse?lang=en": {"till.done": "Redeemed: %s", "session.signout": "Sign out"},
		"/commerce":       {"dash.live.new": "Nouvel encaissement\u00a0: %s, bon %s.", "dash.kind.redeem": "Encaissement"},
		"/connexion": {"signin.wrong": "Courriel ou mot de passe incorrect.",
			"signin.code.sent": "Trop d'essais\u00a0: nous vous avons envoyé un code par courriel."},
		"/admin": {"admin.approve": "Approuver", "admin.soldout": "Les places ne sont plus disponibles\u00a0: remboursez la commande.",
			"admin.accept": "Accepter et émettre",
			// The public page's panel (#13): its strings and today's statuses.
			"admin.page": "Page publique", "admin.hidden": "Masquée\u00a0: %s", "status.open.takeout": "Pour emporter",
			"admin.change.post.added": "Nouvelle publiée"},
		"/admin?lang=en":        {"admin.page": "Public page", "admin.hide.yes": "Yes, hide", "status.open.closed": "Temporarily closed"},
		"/commerce/inscription": {"apply.done": "Demande reçue\u202f!"},
	} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		res.Body.Close()
		m := blob.FindSubmatch(b.Bytes())
		if m == nil {
			t.Errorf("%s: no messages", path)
			continue
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got); err != nil {
			// html/template escapes JSON for a script element, which JSON
			// readers take as it is.
			if err := json.Unmarshal(m[1], &got); err != nil {
				t.Errorf("%s: messages are not JSON: %v\n%.300s", path, err, m[1])
				continue
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got[k], v)
			}
		}
		if _, ok := got["dash.ledger"]; ok && path == "/caisse" {
			t.Errorf("%s carries the dashboard's strings", path)
		}
	}
}

// TestPairingQR checks the pairing code's QR image: it decodes to the
// pairing address, it is never stored, and only a code makes one.
func TestPairingQR(t *testing.T) {
	base := startSite(t, merchantBundle, false)
	const code = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"
	scenario{path: "/caisse/jumeler/qr.png?code=" + code, status: 200, ctype: "image/png",
		check: func(t *testing.T, res *http.Response, body []byte) {
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			img, err := png.Decode(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			got, err := zxqrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("the QR code does not decode: %v", err)
			}
			if want := base + "/caisse/jumeler?code=" + code; got.GetText() != want {
				t.Errorf("QR code holds %q, want %q", got.GetText(), want)
			}
		}}.run(t, base)
	for _, path := range []string{"/caisse/jumeler/qr.png", "/caisse/jumeler/qr.png?code=" + strings.Repeat("x", 5),
		"/caisse/jumeler/qr.png?code=%22%3E%3Cscript%3E"} {
		scenario{path: path, status: 404, absent: []string{"<script>"}}.run(t, base)
	}
}
