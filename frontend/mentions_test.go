package frontend_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/frontend"
	"github.com/solidaire-app/solidaire/market"
)

// fakeWall serves a campaign's wall from a list, and records reports.
type fakeWall struct {
	list []*market.Mention
	err  error

	mu      sync.Mutex
	asked   []string // campaign ids the wall was read for
	reports []string // "campaign/mention"
}

func (f *fakeWall) CampaignWall(_ context.Context, campaignID string, limit int) ([]*market.Mention, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, campaignID)
	if limit != 20 {
		return nil, errors.New("the wall shows 20 posts")
	}
	return f.list, f.err
}

func (f *fakeWall) ReportMention(_ context.Context, campaignID, mentionID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.list {
		if m.ID == mentionID {
			f.reports = append(f.reports, campaignID+"/"+mentionID)
			return nil
		}
	}
	return market.NotFound("Publication")
}

// cut is what package social stores of a post's text: its first
// market.MaxMentionText runes.
func cut(s string) string {
	r := []rune(s)
	if len(r) > market.MaxMentionText {
		r = r[:market.MaxMentionText]
	}
	return string(r)
}

// hostileWall is a wall whose posts try everything: markup, scripts, a
// tracking pixel, a right-to-left override, 100 KB of text (cut by the
// backend), links that are not web links, a language that breaks out of
// its attribute; and posts that must not show (pending, hidden, gone).
func hostileWall() *fakeWall {
	posted := time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC)
	long := "<script>alert(1)</script> <img src=x onerror=alert(2)> \u202Egnp.exe #billetsolidaire " + strings.Repeat("שלום עולם ", 10_000)
	post := func(id, text string) market.Post {
		return market.Post{Network: market.NetworkMastodon, ID: "https://mastodon.social/users/eve/statuses/" + id,
			URL: "https://mastodon.social/@eve/" + id, AuthorHandle: "@eve@mastodon.social", AuthorName: "<b>Ève</b> \u202Eevil",
			PostedAt: posted, Text: text, Lang: "fr", MediaCount: 3}
	}
	p1 := post("1", cut(long))
	p2 := post("2", "Un lien piégé et une langue piégée <a href=javascript:alert(4)>clic</a>")
	p2.URL, p2.Lang = "javascript:alert(3)", `fr" onmouseover="alert(5)`
	p3 := post("3", "Bluesky sans nom")
	p3.Network, p3.AuthorHandle, p3.AuthorName, p3.URL = market.NetworkBluesky, "lucie.bsky.social", "", "https://bsky.app/profile/lucie.bsky.social/post/3"
	return &fakeWall{list: []*market.Mention{
		{ID: "men_1", Post: p1, Status: market.MentionApproved},
		{ID: "men_2", Post: p2, Status: market.MentionApproved},
		{ID: "men_3", Post: p3, Status: market.MentionApproved},
		{ID: "men_pending", Post: post("4", "EN ATTENTE"), Status: market.MentionPending},
		{ID: "men_hidden", Post: post("5", "MASQUÉE"), Status: market.MentionHidden},
		{ID: "men_gone", Post: post("6", "SUPPRIMÉE"), Status: market.MentionApproved, Gone: true},
	}}
}

var wallSection = regexp.MustCompile(`(?s)<section class="section wall".*?</section>`)

// get serves one request to pages and returns its status and body.
func get(t *testing.T, pages http.Handler, method, path string, header map[string]string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	pages.ServeHTTP(rec, req)
	return rec, rec.Body.String()
}

// TestCampaignWall checks the wall of a campaign's page: only approved
// posts still online, as inert text (escaped, in isolated direction),
// never media, a link to the original only when it is a web link, and
// "Signaler" with and without JavaScript.
func TestCampaignWall(t *testing.T) {
	s := newSite(t, nil, false)
	c, err := s.db.Campaign(context.Background(), "billetsolidaire")
	if err != nil {
		t.Fatal(err)
	}
	wall := hostileWall()
	cfg := s.pages
	cfg.Wall, cfg.WallReports = wall, wall
	pages, err := frontend.New(cfg)
	if err != nil {
		t.Fatal(err)
	}

	rec, body := get(t, pages, "GET", "/c/billetsolidaire", nil)
	if rec.Code != 200 {
		t.Fatalf("%d\n%.500s", rec.Code, body)
	}
	if len(wall.asked) != 1 || wall.asked[0] != c.ID {
		t.Errorf("the wall was read for %q, want %q", wall.asked, c.ID)
	}
	w := wallSection.FindString(body)
	if w == "" {
		t.Fatalf("no wall on the page")
	}
	for _, want := range []string{
		`id="mur" aria-labelledby="mur-titre"`, `<h2 id="mur-titre">Sur les réseaux</h2>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`, `&lt;img src=x onerror=alert(2)&gt;`,
		`<p class="wall-text" dir="auto" lang="fr"><bdi>&lt;script&gt;`,
		`<strong><bdi>&lt;b&gt;Ève&lt;/b&gt; ` + "\u202E" + `evil</bdi></strong> <span class="muted"><bdi>@eve@mastodon.social</bdi></span>`,
		`<a href="https://mastodon.social/@eve/1" rel="nofollow noopener ugc" target="_blank">Voir la publication originale`,
		`sur Mastodon · <time datetime="2026-12-01T15:30:00Z">`,
		`<strong><bdi>@lucie.bsky.social</bdi></strong>`, "sur Bluesky",
		`<form method="post" action="/c/billetsolidaire/mur/men_1/signaler" data-report="men_1">`,
		`data-api="/api/v1/campaigns/billetsolidaire/wall/"`, `role="status" data-wall-status></p>`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("the wall lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img", "<b>", "<a href=javascript", `href="javascript`, `onmouseover="`, "<video",
		"EN ATTENTE", "MASQUÉE", "SUPPRIMÉE", "men_pending", "men_gone", "שלום עולם שלום עולם שלום עולם " + strings.Repeat("שלום עולם ", 60)} {
		if strings.Contains(w, bad) {
			t.Errorf("the wall has %q", bad)
		}
	}
	if n := strings.Count(w, `<li class="wall-post">`); n != 3 {
		t.Errorf("%d posts on the wall, want the 3 approved and online", n)
	}
	if n := strings.Count(w, `href="https://`); n != 2 {
		t.Errorf("%d links to originals, want 2 (a javascript: link is none)", n)
	}
	// Every right-to-left override is inside an isolated element, so it
	// cannot turn the page's text around it.
	for i := 0; ; {
		j := strings.Index(w[i:], "\u202E")
		if j < 0 {
			break
		}
		at := i + j
		if strings.LastIndex(w[:at], "<bdi>") < strings.LastIndex(w[:at], "</bdi>") || strings.LastIndex(w[:at], "<bdi>") < 0 {
			t.Errorf("a bidi override outside <bdi>: %q", w[max(0, at-80):at])
		}
		i = at + 1
	}
	if strings.Contains(body, "bsky.app/intent/compose?text=") == false || !strings.Contains(body, "https://www.threads.net/intent/post?text=") ||
		!strings.Contains(body, `href="https://mastodon.social/share?text=`) || !strings.Contains(body, `data-mastodon-instance hidden`) {
		t.Errorf("the share buttons lack Bluesky, Threads or Mastodon")
	}

	t.Run("in English", func(t *testing.T) {
		_, body := get(t, pages, "GET", "/c/billetsolidaire?lang=en", nil)
		w := wallSection.FindString(body)
		for _, want := range []string{"On social media", "See the original post", "on Mastodon", ">Report<"} {
			if !strings.Contains(w, want) {
				t.Errorf("lacks %q", want)
			}
		}
	})

	t.Run("Signaler without JavaScript", func(t *testing.T) {
		rec, _ := get(t, pages, "POST", "/c/billetsolidaire/mur/men_1/signaler", nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/c/billetsolidaire?signale=1#mur" {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("Location"))
		}
		if len(wall.reports) != 1 || wall.reports[0] != c.ID+"/men_1" {
			t.Errorf("reports %q", wall.reports)
		}
		_, body := get(t, pages, "GET", "/c/billetsolidaire?signale=1", nil)
		if !strings.Contains(body, `role="status" data-wall-status>Merci, l&#39;équipe de la campagne va vérifier.</p>`) {
			t.Errorf("no thanks after the report")
		}
		if rec, _ := get(t, pages, "POST", "/c/billetsolidaire/mur/men_inconnue/signaler", nil); rec.Code != 404 {
			t.Errorf("an unknown post: %d", rec.Code)
		}
		if rec, _ := get(t, pages, "POST", "/c/billetsolidaire/mur/men_1/signaler", map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != 403 {
			t.Errorf("a report from another site: %d", rec.Code)
		}
		if len(wall.reports) != 1 {
			t.Errorf("reports %q", wall.reports)
		}
	})

	t.Run("without the pages' reports, the button waits for JavaScript", func(t *testing.T) {
		cfg := s.pages
		cfg.Wall, cfg.WallReports = wall, nil
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, body := get(t, pages, "GET", "/c/billetsolidaire", nil)
		if !strings.Contains(body, `data-report="men_1" hidden>`) {
			t.Errorf("the report form is not hidden")
		}
		if rec, _ := get(t, pages, "POST", "/c/billetsolidaire/mur/men_1/signaler", nil); rec.Code != 404 {
			t.Errorf("the form's route: %d", rec.Code)
		}
	})

	t.Run("no wall, or a wall that fails, leaves the page as it was", func(t *testing.T) {
		_, body := get(t, s.pagesHandler(t), "GET", "/c/billetsolidaire", nil)
		if strings.Contains(body, `id="mur"`) {
			t.Errorf("a wall without Config.Wall")
		}
		cfg := s.pages
		cfg.Wall = &fakeWall{err: errors.New("database down")}
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		pages, err := frontend.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec, body := get(t, pages, "GET", "/c/billetsolidaire", nil)
		if rec.Code != 200 || strings.Contains(body, `id="mur"`) || !strings.Contains(body, "data-counter") {
			t.Errorf("%d, wall %v", rec.Code, strings.Contains(body, `id="mur"`))
		}
		cfg.Wall = &fakeWall{}
		pages, _ = frontend.New(cfg)
		if _, body := get(t, pages, "GET", "/c/billetsolidaire", nil); strings.Contains(body, `id="mur"`) {
			t.Errorf("an empty wall shows")
		}
	})
}

// pagesHandler is the site's pages without a wall.
func (s *site) pagesHandler(t *testing.T) http.Handler {
	t.Helper()
	cfg := s.pages
	cfg.Wall, cfg.WallReports = nil, nil
	pages, err := frontend.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// TestMentionsDashboard checks the frame of a campaign's mentions on the
// organiser's dashboard, which the island fills.
func TestMentionsDashboard(t *testing.T) {
	base := startSite(t, nil, false)
	for _, sc := range []scenario{
		{name: "the dashboard", path: "/organisation/campagnes/billetsolidaire", status: 200,
			want: []string{`<h2 id="mentions-titre">Mentions sur les réseaux</h2>`, `data-mentions hidden`,
				`<option value="mastodon">Mastodon</option>`, `<option value="bluesky">Bluesky</option>`, `<option value="threads">Threads</option>`,
				`<option value="feed">Flux RSS ou Atom</option>`, `id="source-instance" name="instance"`, "ex. mastodon.social, mstdn.ca",
				`id="source-flux" name="url" type="url"`, `data-source-for="bluesky" hidden`, "Solidaire ne lit que les publications publiques",
				`<option value="pending">À modérer</option>`, `<option value="approved">Affichés</option>`, `<option value="hidden">Masqués</option>`,
				`data-mentions-csv>Exporter (CSV)</a>`, `data-kpi="mentions"`, "Auteurs les plus actifs",
				`data-share-to="bluesky"`, `data-share-to="threads"`, `data-share-to="mastodon"`, `id="partage-mastodon"`}},
		{name: "in English", path: "/organisation/campagnes/billetsolidaire?lang=en", status: 200,
			want: []string{"Mentions on social media", "e.g. mastodon.social, mstdn.ca", "To moderate", "Export (CSV)"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, base) })
	}
	res, err := http.Get(base + "/organisation/campagnes/billetsolidaire")
	if err != nil {
		t.Fatal(err)
	}
	text := islandText(t, readAll(t, res))
	for _, k := range []string{"mentions.approve", "mentions.reports.other", "mentions.gone", "network.feed", "channel.threads", "mentions.source.min"} {
		if text[k] == "" {
			t.Errorf("the island lacks %s", k)
		}
	}
	if text["mentions.reports.other"] != "Signalé %s fois" || text["mentions.approve"] != "Afficher sur le mur" {
		t.Errorf("%q %q", text["mentions.reports.other"], text["mentions.approve"])
	}
}
