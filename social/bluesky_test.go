package social

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
)

func blueskySource(cursor string) *market.MentionSource {
	return &market.MentionSource{ID: "src2", Network: market.NetworkBluesky, Cursor: cursor}
}

// blueskySearch serves the recorded searchPosts pages: the first page's
// cursor leads to the second, which has none.
func blueskySearch(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/xrpc/app.bsky.feed.searchPosts" {
			writeJSON(w, 400, []byte(`{"error":"InvalidRequest","message":"unknown method"}`))
			return
		}
		w.Header().Set("RateLimit-Limit", "3000")
		w.Header().Set("RateLimit-Remaining", "2999")
		w.Header().Set("RateLimit-Reset", "1796126700")
		w.Header().Set("RateLimit-Policy", "3000;w=300")
		if r.URL.Query().Get("cursor") == "100" {
			writeJSON(w, 200, fixture(t, "bluesky_search_page2.json"))
			return
		}
		writeJSON(w, 200, fixture(t, "bluesky_search_page1.json"))
	}
}

func TestBlueskyReadPagesAndKeepsTaggedPublicPosts(t *testing.T) {
	srv := newServer(t, blueskySearch(t))
	var hosts []string
	r := newTestReader(srv, newClock(), func(c *Config) {
		c.BaseURL = func(h string) string { hosts = append(hosts, h); return srv.URL }
	})
	page, err := r.Read(context.Background(), blueskySource("2026-12-01T08:00:00.000Z"), []string{"BilletSolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if hosts[0] != "public.api.bsky.app" {
		t.Errorf("host = %v", hosts)
	}
	if srv.count() != 2 {
		t.Errorf("requests = %d, want 2", srv.count())
	}
	q := srv.request(0).URL.Query()
	if q.Get("q") != "#billetsolidaire" || q.Get("sort") != "latest" || q.Get("limit") != "2" ||
		q.Get("since") != "2026-12-01T08:00:00.000Z" || q.Get("cursor") != "" {
		t.Errorf("first query = %v", q)
	}
	if got := srv.request(1).URL.Query().Get("cursor"); got != "100" {
		t.Errorf("second cursor = %q", got)
	}
	if srv.request(0).Header.Get("Authorization") != "" {
		t.Error("anonymous reads send no token")
	}
	// p3 has the word but not the hashtag; p4's author asked not to be
	// shown to signed-out people
	if len(page.Posts) != 3 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	want := market.Post{
		Network:      market.NetworkBluesky,
		ID:           "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbq2aaaaaa2k",
		URL:          "https://bsky.app/profile/marie.bsky.social/post/3lbq2aaaaaa2k",
		AuthorHandle: "marie.bsky.social",
		AuthorName:   "Marie 🌻",
		PostedAt:     time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC),
		Text:         "Ce midi au Café du Coin #billetsolidaire https://solidaire.example/s/XYZ789",
		Lang:         "fr",
		MediaCount:   2,
		Tags:         []string{"billetsolidaire"},
		Links:        []string{"https://solidaire.example/s/XYZ789"},
	}
	if !reflect.DeepEqual(page.Posts[0], want) {
		t.Errorf("post =\n%+v\nwant\n%+v", page.Posts[0], want)
	}
	jean := page.Posts[1] // tagged through the record's tags, an external card
	if jean.AuthorHandle != "jean.example.org" || !reflect.DeepEqual(jean.Links, []string{"https://cafe.example/menu"}) || jean.MediaCount != 0 {
		t.Errorf("jean = %+v", jean)
	}
	future := page.Posts[2] // createdAt in 2030, indexed 2026-12-01T09:00
	if future.URL != "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3lbq2eeeeee2k" ||
		!future.PostedAt.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) || future.MediaCount != 1 {
		t.Errorf("future-dated post = %+v", future)
	}
	// newest sort time seen: p1's createdAt (earlier than its indexedAt)
	if page.Cursor != "2026-12-01T11:00:00.000Z" || page.Wait != 0 {
		t.Errorf("cursor, wait = %q, %v", page.Cursor, page.Wait)
	}
}

func TestBlueskyInstanceOverridesAppView(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []byte(`{"posts":[]}`)) })
	var host string
	r := newTestReader(srv, newClock(), func(c *Config) {
		c.BaseURL = func(h string) string { host = h; return srv.URL }
	})
	src := blueskySource("")
	src.Instance = "https://api.bsky.example/"
	page, err := r.Read(context.Background(), src, []string{"billetsolidaire"})
	if err != nil || host != "api.bsky.example" || page.Cursor != "" || len(page.Posts) != 0 {
		t.Errorf("host %q, page %+v, err %v", host, page, err)
	}
}

func TestBlueskyAnonymousSearchRefused(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, []byte(`{"error":"Forbidden","message":"Forbidden"}`))
	})
	_, err := newTestReader(srv, newClock(), nil).Read(context.Background(), blueskySource(""), []string{"billetsolidaire"})
	if err == nil || !strings.Contains(err.Error(), "demande un compte pour chercher (erreur 403) : configurez BLUESKY_IDENTIFIER et BLUESKY_APP_PASSWORD") {
		t.Errorf("err = %v", err)
	}
}

func TestBlueskyRateLimited(t *testing.T) {
	clk := newClock()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Limit", "3000")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", "1796126520") // 2026-12-01T12:02:00Z
		writeJSON(w, 429, []byte(`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`))
	})
	_, err := newTestReader(srv, clk, nil).Read(context.Background(), blueskySource(""), []string{"billetsolidaire"})
	if w := waitOf(err); w != 2*time.Minute {
		t.Errorf("wait = %v, err = %v", w, err)
	}
}

func TestBlueskySignsInRefreshesAndRetries(t *testing.T) {
	var searches, creates, refreshes atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/xrpc/com.atproto.server.createSession":
			creates.Add(1)
			body, _ := io.ReadAll(r.Body)
			var in map[string]string
			_ = json.Unmarshal(body, &in)
			if r.Method != http.MethodPost || in["identifier"] != "solidaire.bsky.social" || in["password"] != "abcd-efgh-ijkl-mnop" {
				writeJSON(w, 401, []byte(`{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`))
				return
			}
			writeJSON(w, 200, fixture(t, "bluesky_session.json"))
		case "/xrpc/com.atproto.server.refreshSession":
			refreshes.Add(1)
			if r.Header.Get("Authorization") != "Bearer refresh-1" {
				writeJSON(w, 400, fixture(t, "bluesky_error_expired.json"))
				return
			}
			writeJSON(w, 200, fixture(t, "bluesky_session_refreshed.json"))
		case "/xrpc/app.bsky.feed.searchPosts":
			n := searches.Add(1)
			auth := r.Header.Get("Authorization")
			switch {
			case n == 1 && auth == "Bearer access-1":
				writeJSON(w, 200, []byte(`{"posts":[]}`))
			case n == 2 && auth == "Bearer access-1": // the token expired meanwhile
				writeJSON(w, 400, fixture(t, "bluesky_error_expired.json"))
			case n == 3 && auth == "Bearer access-2":
				writeJSON(w, 200, []byte(`{"posts":[]}`))
			default:
				t.Errorf("search %d with %q", n, auth)
				writeJSON(w, 401, []byte(`{"error":"AuthenticationRequired"}`))
			}
		}
	})
	var hosts []string
	r := newTestReader(srv, newClock(), func(c *Config) {
		c.BlueskyIdentifier, c.BlueskyAppPassword = "solidaire.bsky.social", "abcd-efgh-ijkl-mnop"
		c.BaseURL = func(h string) string { hosts = append(hosts, h); return srv.URL }
	})
	for i := 0; i < 2; i++ {
		if _, err := r.Read(context.Background(), blueskySource(""), []string{"billetsolidaire"}); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if creates.Load() != 1 || refreshes.Load() != 1 || searches.Load() != 3 {
		t.Errorf("createSession %d, refreshSession %d, searches %d", creates.Load(), refreshes.Load(), searches.Load())
	}
	for _, h := range hosts {
		if h != "bsky.social" {
			t.Errorf("signed-in requests go to the PDS, not %q", h)
		}
	}
}

func TestBlueskyWrongCredentials(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, []byte(`{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`))
	})
	r := newTestReader(srv, newClock(), func(c *Config) { c.BlueskyIdentifier, c.BlueskyAppPassword = "x", "y" })
	_, err := r.Read(context.Background(), blueskySource(""), []string{"billetsolidaire"})
	if err == nil || !strings.HasPrefix(err.Error(), "Identifiants Bluesky refusés") {
		t.Errorf("err = %v", err)
	}
}

func TestBlueskyGone(t *testing.T) {
	var batches [][]string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/xrpc/app.bsky.feed.getPosts" {
			t.Errorf("path %s", r.URL.Path)
		}
		batches = append(batches, r.URL.Query()["uris"])
		writeJSON(w, 200, fixture(t, "bluesky_getposts.json"))
	})
	ids := []string{
		"at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbq2aaaaaa2k", // still there
		"at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbq2bbbbbb2k", // deleted
		"https://not-an-at-uri.example/x",
	}
	for i := 0; i < 30; i++ { // 30 more deleted posts: two calls of at most 25
		ids = append(ids, "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/del"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	gone, err := newTestReader(srv, newClock(), nil).Gone(context.Background(), blueskySource(""), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(batches[0]) != 25 || len(batches[1]) != 7 {
		t.Errorf("batches = %d (%d, …)", len(batches), len(batches[0]))
	}
	if len(gone) != 31 || gone[0] != ids[1] {
		t.Errorf("gone = %d %v", len(gone), gone[:2])
	}
	for _, g := range gone {
		if g == ids[0] || g == ids[2] {
			t.Errorf("%s reported gone", g)
		}
	}
}

func TestBlueskyMalformed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []byte(`{"posts":[{"uri":`)) })
	_, err := newTestReader(srv, newClock(), nil).Read(context.Background(), blueskySource(""), []string{"billetsolidaire"})
	if err == nil || err.Error() != "Réponse illisible de public.api.bsky.app" {
		t.Errorf("err = %v", err)
	}
}
