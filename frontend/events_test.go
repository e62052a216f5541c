package frontend_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

// TestPagesEvents checks /evenements: the upcoming events of approved
// venues, filtered by city (any spelling), category and dates, with
// cancelled and postponed ones marked in words, and the home page's link.
func TestPagesEvents(t *testing.T) {
	base := startSite(t, nil, false)
	en := map[string]string{"Accept-Language": "en-US,en;q=0.9"}
	// The demo's events are days from today in Québec: the Cabaret in 9
	// days, the Soirée des chansonniers in 11, the Nuit de la poésie in 12.
	quebec, _ := time.LoadLocation("America/Toronto")
	day := func(n int) string { return time.Now().In(quebec).AddDate(0, 0, n).Format(time.DateOnly) }
	numeric := regexp.MustCompile(`>[^<]*\b\d{1,2}/\d{1,2}/\d{2,4}\b`)
	noNumericDates := func(t *testing.T, _ *http.Response, body []byte) {
		if m := numeric.Find(body); m != nil {
			t.Errorf("a date is written in figures: %q", m)
		}
	}
	for _, sc := range []scenario{
		{name: "home links to the events", path: "/", status: 200,
			want: []string{`<a class="button button-secondary" href="/evenements">Tous les événements</a>`}},
		{name: "all upcoming", path: "/evenements", status: 200,
			want: []string{"<h1 id=\"evenements-titre\">Événements à venir</h1>", `href="/e/evt_cabaret-des-voisins"`,
				`href="/e/evt_le-metier-et-la-revolte"`, "Au Théâtre du Faubourg · Montréal", "Au Quai des Chansons · Québec",
				`class="badge badge-cancelled">Annulé</span>`, `class="badge badge-postponed">Reporté au `,
				`<time datetime="`, `<label for="city">`, `<label for="category">`, `<label for="when">`, `<label for="from">`,
				`<link rel="canonical" href="` + base + `/evenements">`},
			absent: []string{"Tout afficher"}, check: noNumericDates},
		{name: "by city, any spelling", path: "/evenements?city=QUEBEC", status: 200,
			want:   []string{"evt_soiree-des-chansonniers", `<option value="Québec" selected>`, "Tout afficher"},
			absent: []string{"evt_cabaret-des-voisins", "evt_le-metier-et-la-revolte"}},
		{name: "by category and city", path: "/evenements?category=spectacle&city=Lyon", status: 200,
			want:   []string{"evt_le-metier-et-la-revolte", `<option value="spectacle" selected>`},
			absent: []string{"evt_cabaret-des-voisins", "evt_soiree-des-chansonniers"}},
		{name: "by another category", path: "/evenements?category=boulangerie", status: 200,
			want: []string{"Aucun événement à venir trouvé."}, absent: []string{`href="/e/`}},
		{name: "between two days", path: "/evenements?city=montreal&from=" + day(8) + "&to=" + day(10), status: 200,
			want:   []string{"evt_cabaret-des-voisins", `value="` + day(8) + `"`, "1 événement"},
			absent: []string{"evt_nuit-de-la-poesie", "evt_les-heritieres"}},
		{name: "from a day", path: "/evenements?city=montreal&from=" + day(12), status: 200,
			want: []string{"evt_nuit-de-la-poesie"}, absent: []string{"evt_cabaret-des-voisins"}},
		{name: "today", path: "/evenements?when=today", status: 200,
			want: []string{`<option value="today" selected>`}, absent: []string{"evt_cabaret-des-voisins"}},
		{name: "unreadable date ignored", path: "/evenements?from=demain", status: 200,
			want: []string{"Date illisible", "evt_cabaret-des-voisins"}},
		{name: "forged cursor starts over", path: "/evenements?after=%25%25", status: 200, want: []string{"evt_cabaret-des-voisins"}},
		{name: "in English", path: "/evenements", header: en, status: 200,
			want: []string{"Upcoming events", "At Théâtre du Faubourg", `class="badge badge-postponed">Postponed to `,
				`class="badge badge-cancelled">Cancelled</span>`, "Any date"}},
		{name: "event's share text puts the article", path: "/e/evt_cabaret-des-voisins", status: 200,
			want: []string{"au Théâtre du Faubourg\u00a0: réservez"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}
}
