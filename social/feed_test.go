package social

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func feedSource(url, cursor string) *market.MentionSource {
	return &market.MentionSource{ID: "src3", Network: market.NetworkFeed, URL: url, Cursor: cursor}
}

// feedServer serves a recorded feed with an ETag, answering 304 to a
// request that carries it.
func feedServer(t *testing.T, name, contentType string) *testServer {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 01 Dec 2026 12:00:00 GMT")
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(fixture(t, name))
	})
}

func TestFeedRSS(t *testing.T) {
	srv := feedServer(t, "rss.xml", "application/rss+xml; charset=utf-8")
	r := newTestReader(srv, newClock(), nil)
	page, err := r.Read(context.Background(), feedSource(srv.URL+"/feed.xml", ""), []string{"billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	want := market.Post{
		Network:      market.NetworkFeed,
		ID:           "https://blog.example.org/2026/12/cafe",
		URL:          "https://blog.example.org/2026/12/cafe",
		AuthorHandle: "Sophie",
		AuthorName:   "Sophie",
		PostedAt:     time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC),
		Text:         "Le café rejoint le mouvement — Le Café du Coin propose des repas #billetsolidaire. Sa page.",
		Lang:         "fr",
		Tags:         []string{"billetsolidaire"},
		Links:        []string{"https://solidaire.example/m/cafe-du-coin", "https://blog.example.org/2026/12/cafe"},
	}
	if !reflect.DeepEqual(page.Posts[0], want) {
		t.Errorf("post =\n%+v\nwant\n%+v", page.Posts[0], want)
	}
	marche := page.Posts[1] // tagged by category; author's e-mail never kept
	if marche.ID != "blog-example-org-marche-2026" || marche.AuthorHandle != "La rédaction" || marche.MediaCount != 1 ||
		marche.Text != "Marché de Noël — Le marché revient & il y aura des billets." {
		t.Errorf("marche = %+v", marche)
	}
	var cur feedCursor
	if err := json.Unmarshal([]byte(page.Cursor), &cur); err != nil || cur.ETag != `"v1"` ||
		cur.Modified != "Mon, 01 Dec 2026 12:00:00 GMT" || cur.Newest != "2026-12-01T11:00:00Z" {
		t.Errorf("cursor = %s", page.Cursor)
	}

	// the next read is conditional, and the feed has not changed
	again, err := r.Read(context.Background(), feedSource(srv.URL+"/feed.xml", page.Cursor), []string{"billetsolidaire"})
	if err != nil || len(again.Posts) != 0 || again.Cursor != page.Cursor {
		t.Errorf("304 read = %+v, %v", again, err)
	}
	if got := srv.request(1).Header.Get("If-Modified-Since"); got != "Mon, 01 Dec 2026 12:00:00 GMT" {
		t.Errorf("If-Modified-Since = %q", got)
	}

	// changed (another ETag): only entries newer than the cursor's time
	cursor, _ := json.Marshal(feedCursor{ETag: `"v0"`, Newest: "2026-11-30T10:00:00Z"})
	newer, err := r.Read(context.Background(), feedSource(srv.URL+"/feed.xml", string(cursor)), []string{"billetsolidaire"})
	if err != nil || len(newer.Posts) != 1 || newer.Posts[0].ID != want.ID {
		t.Errorf("newer = %+v, %v", newer, err)
	}

	gone, err := r.Gone(context.Background(), feedSource(srv.URL+"/feed.xml", ""), []string{want.ID})
	if gone != nil || err != nil {
		t.Errorf("a feed reports nothing gone: %v %v", gone, err)
	}
}

func TestFeedAtom(t *testing.T) {
	srv := feedServer(t, "atom.xml", "application/atom+xml")
	page, err := newTestReader(srv, newClock(), nil).Read(context.Background(), feedSource(srv.URL+"/atom.xml", ""), []string{"billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	p := page.Posts[0]
	if p.ID != "tag:news.example.net,2026:succes" || p.URL != srv.URL+"/2026/12/succes" || p.AuthorHandle != "Léa" ||
		p.Lang != "fr" || !p.PostedAt.Equal(time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)) ||
		p.Text != "Succès du #BilletSolidaire — Déjà 300 repas offerts. Voir la campagne." ||
		!reflect.DeepEqual(p.Links, []string{"https://solidaire.example/c/hiver", srv.URL + "/2026/12/succes"}) {
		t.Errorf("entry = %+v", p)
	}
	q := page.Posts[1] // by category; no author: the feed's title; text type kept literally
	if q.AuthorHandle != "Actualités solidaires" || q.Text != "Autre sujet — Un texte <b>brut</b> qui parle d'autre chose." {
		t.Errorf("entry = %+v", q)
	}
}

func TestFeedNotAFeed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Blog</title></head><body><p>Bonjour</p></body></html>"))
	})
	_, err := newTestReader(srv, newClock(), nil).Read(context.Background(), feedSource(srv.URL+"/", ""), []string{"x"})
	if err == nil || !strings.HasPrefix(err.Error(), "Ce n'est pas un flux RSS ou Atom lisible") {
		t.Errorf("err = %v", err)
	}
	_, err = newTestReader(srv, newClock(), nil).Read(context.Background(), feedSource("ftp://x.example/feed", ""), []string{"x"})
	if err == nil || err.Error() != "Adresse de flux invalide" {
		t.Errorf("err = %v", err)
	}
}

func TestFeedLatin1(t *testing.T) {
	body := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title>" +
		"<item><title>R\xe9cit #billetsolidaire</title><link>https://x.example/a</link></item></channel></rss>"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) })
	page, err := newTestReader(srv, newClock(), nil).Read(context.Background(), feedSource(srv.URL+"/", ""), []string{"billetsolidaire"})
	if err != nil || len(page.Posts) != 1 || page.Posts[0].Text != "Récit #billetsolidaire" || page.Posts[0].AuthorHandle != "Café" {
		t.Errorf("page = %+v, %v", page, err)
	}
}
