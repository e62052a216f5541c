package frontend_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/solidaire-app/solidaire/market"
)

// islandText reads the strings an organiser page hands its island.
func islandText(t *testing.T, body []byte) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="org-text">(.*?)</script>`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no org-text in the page")
	}
	var text map[string]string
	if err := json.Unmarshal(m[1], &text); err != nil {
		t.Fatalf("org-text: %v\n%.300s", err, m[1])
	}
	return text
}

func TestOrganiserPages(t *testing.T) {
	base := startSite(t, nil, false)
	frame := []string{`<meta name="robots" content="noindex">`, `aria-label="Espace organisateur"`, "L&#39;espace organisateur a besoin de JavaScript",
		`href="/connexion?next=%2Forganisation`, `<script type="module" src="/static/organiser.js?v=`, `id="org-text"`}
	noStore := func(t *testing.T, res *http.Response, _ []byte) {
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Cache-Control %q, Referrer-Policy %q", res.Header.Get("Cache-Control"), res.Header.Get("Referrer-Policy"))
		}
	}
	for _, sc := range []scenario{
		{name: "events", path: "/organisation", status: 200, check: noStore,
			want: append([]string{"<h1>Vos événements</h1>", `href="/organisation/evenements/nouveau"`, "data-org-venues"}, frame...)},
		{name: "new event", path: "/organisation/evenements/nouveau", status: 200,
			want: append([]string{"<h1 data-event-heading>Nouvel événement</h1>", `id="evenement-titre" name="title"`, `type="datetime-local"`,
				`data-api-field="starts_at"`, "Créer l&#39;événement", "Ajouter un tarif"}, frame...),
			absent: []string{"data-tally", "data-choices="}},
		{name: "an event", path: "/organisation/evenements/evt_cabaret-des-voisins", status: 200,
			want: append([]string{`data-id="evt_cabaret-des-voisins"`, "Annuler l&#39;événement", "Reporter l&#39;événement",
				"Voir l&#39;aperçu", `id="annulation-bonus"`, `id="report-date"`, "Toujours proposé\u00a0: la loi le garantit.",
				`<dialog class="confirm-dialog"`, "Choix des détenteurs", `<meter id="tally-credit"`, "Pour changer la date, reportez l&#39;événement"}, frame...)},
		{name: "an event id that cannot be one", path: "/organisation/evenements/nope", status: 404},
		{name: "campaigns", path: "/organisation/campagnes", status: 200,
			want: append([]string{"<h1>Vos campagnes</h1>", "Créer la campagne", `id="campagne-motsclics"`, `data-pick="merchants"`}, frame[:3]...)},
		{name: "a campaign's dashboard", path: "/organisation/campagnes/billetsolidaire", status: 200,
			want: []string{"Kit de partage", `<option value="facebook">Facebook</option>`, `<option value="poster">Affiche</option>`,
				`href="/api/v1/organiser/campaigns/billetsolidaire/stats?format=csv" download`, `href="/c/billetsolidaire"`,
				`data-share-to="whatsapp"`, "Affiche à imprimer", "Rafraîchir"},
			absent: []string{`<option value="other">`}},
		{name: "a slug that cannot be one", path: "/organisation/campagnes/Nope!", status: 404},
		{name: "in English", path: "/organisation", header: map[string]string{"Accept-Language": "en"}, status: 200,
			want: []string{`<html lang="en">`, "Your events", "The organiser space needs JavaScript"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}

	t.Run("the island's strings", func(t *testing.T) {
		for lang, want := range map[string]string{"fr": "Annuler «\u00a0%s\u00a0»\u202f?", "en": "Cancel “%s”?"} {
			req, _ := http.NewRequest("GET", base+"/organisation/evenements/evt_cabaret-des-voisins?lang="+lang, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			text := islandText(t, body)
			if text["org.cancel.confirm"] != want || text["channel.whatsapp"] != "WhatsApp" || text["holders.other"] == "" {
				t.Errorf("%s: %q, %q", lang, text["org.cancel.confirm"], text["channel.whatsapp"])
			}
			if strings.Contains(string(body), "</script><") && !strings.Contains(string(body), `"org.title"`) {
				t.Errorf("%s: the strings are not all there", lang)
			}
		}
	})
}

func TestSharePoster(t *testing.T) {
	s := newSite(t, nil, false)
	ctx := context.Background()
	c, err := s.db.Campaign(ctx, "billetsolidaire")
	if err != nil {
		t.Fatal(err)
	}
	link := &market.ShareLink{Code: market.NewShareCode(), CampaignID: c.ID, Campaign: c.Slug, Channel: "poster",
		Label: "Vitrine", Target: "/c/" + c.Slug, CreatedBy: "usr_organisateur"}
	if err := s.db.CreateShareLink(ctx, link); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []scenario{
		{name: "the poster", path: "/organisation/affiche/" + link.Code + ".png", status: 200, ctype: "image/png", check: pngOf(1240, 1754)},
		{name: "the poster, code in upper case", path: "/organisation/affiche/" + strings.ToUpper(link.Code) + ".png", status: 200, ctype: "image/png"},
		{name: "an unknown code", path: "/organisation/affiche/aaaaaaaaaaaa.png", status: 404},
		{name: "not a code", path: "/organisation/affiche/nope.png", status: 404},
		{name: "not a png", path: "/organisation/affiche/" + link.Code + ".jpg", status: 404},
		{name: "an unknown share link says so", path: "/s/aaaaaaaaaaaa", status: 404,
			want: []string{"Ce lien de partage n&#39;existe pas", "a été désactivé", `href="/#campagnes"`, "Voir les campagnes", `content="noindex"`}},
		{name: "a share link that cannot be one", path: "/s/nope", status: 404, want: []string{"Ce lien de partage n&#39;existe pas"}},
		{name: "in English", path: "/s/aaaaaaaaaaaa", header: map[string]string{"Accept-Language": "en"}, status: 404,
			want: []string{"This share link does not exist", "See the campaigns"}},
		{name: "a known share link still redirects", path: "/s/" + link.Code, header: map[string]string{"User-Agent": "Mozilla/5.0"},
			status: 200, want: []string{"#billetsolidaire"}},
		{name: "the campaign's counter is live", path: "/c/billetsolidaire", status: 200,
			want: []string{`data-poll="/api/v1/campaigns/billetsolidaire"`, `data-counter-raised`, `role="status" data-counter-live`,
				`<script type="module" src="/static/holder.js?v=`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, s.base) })
	}
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
