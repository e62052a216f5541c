package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/solidaire-app/solidaire/market"
)

// mastodonTimeline serves the recorded tag timeline pages as mastodon.social
// does: newest first, a Link header whose next page asks max_id={oldest}
// and whose prev page asks min_id={newest}.
func mastodonTimeline(t *testing.T, srv **testServer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/timelines/tag/billetsolidaire" {
			writeJSON(w, 404, fixture(t, "mastodon_error_404.json"))
			return
		}
		q := r.URL.Query()
		base := (*srv).URL + r.URL.Path + "?limit=" + q.Get("limit")
		var file, oldest, newest string
		switch {
		case q.Get("max_id") == "" && q.Get("min_id") == "":
			file, newest, oldest = "mastodon_tag_newest.json", "103000000000000110", "103000000000000109"
		case q.Get("max_id") == "103000000000000109":
			file, newest, oldest = "mastodon_tag_max_109.json", "103000000000000108", "103000000000000107"
		case q.Get("max_id") == "103000000000000107":
			file, newest, oldest = "mastodon_tag_max_107.json", "103000000000000106", "103000000000000106"
		case q.Get("min_id") == "103000000000000110":
			file, newest, oldest = "mastodon_tag_min_110.json", "103000000000000112", "103000000000000111"
		case q.Get("min_id") == "103000000000000112":
			file = "mastodon_tag_min_112.json"
		default:
			t.Errorf("unexpected page %s", r.URL)
			writeJSON(w, 200, []byte("[]"))
			return
		}
		if newest != "" {
			w.Header().Set("Link", fmt.Sprintf(`<%s&max_id=%s>; rel="next", <%s&min_id=%s>; rel="prev"`, base, oldest, base, newest))
		}
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", "299")
		w.Header().Set("X-RateLimit-Reset", "2026-12-01T12:05:00.000Z")
		writeJSON(w, 200, fixture(t, file))
	}
}

func mastodonSource(cursor string) *market.MentionSource {
	return &market.MentionSource{ID: "src1", Network: market.NetworkMastodon, Instance: "mastodon.social", Cursor: cursor}
}

func TestMastodonFirstReadWalksOlderPages(t *testing.T) {
	var srv *testServer
	srv = newServer(t, mastodonTimeline(t, &srv))
	r := newTestReader(srv, newClock(), nil)
	page, err := r.Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.count() != 3 {
		t.Errorf("requests = %d, want 3 (newest, then next twice until a short page)", srv.count())
	}
	if got := srv.request(0).Header.Get("User-Agent"); got != "Solidaire/1 (+https://solidaire.example; hashtag reader)" {
		t.Errorf("User-Agent = %q", got)
	}
	if got := srv.request(0).URL.Query().Get("limit"); got != "2" {
		t.Errorf("limit = %q", got)
	}
	if page.Cursor != "103000000000000110" || page.Wait != 0 {
		t.Errorf("cursor, wait = %q, %v", page.Cursor, page.Wait)
	}
	// unlisted (108), a reblog (107) and a post without the tag (106) are skipped
	if len(page.Posts) != 2 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	want := market.Post{
		Network:      market.NetworkMastodon,
		ID:           "https://mastodon.social/users/alice/statuses/103000000000000110",
		URL:          "https://mastodon.social/@alice/103000000000000110",
		AuthorHandle: "@alice@mastodon.social",
		AuthorName:   "Alice ✊",
		PostedAt:     time.Date(2026, 12, 1, 10, 10, 0, 0, time.UTC),
		Text:         "On y va ! #billetsolidaire https://solidaire.example/s/ABC123 Deuxième paragraphe & fin",
		Lang:         "fr",
		MediaCount:   1,
		Tags:         []string{"billetsolidaire"},
		Links:        []string{"https://mastodon.social/tags/billetsolidaire", "https://solidaire.example/s/ABC123"},
	}
	if !reflect.DeepEqual(page.Posts[0], want) {
		t.Errorf("post =\n%+v\nwant\n%+v", page.Posts[0], want)
	}
	bob := page.Posts[1]
	if bob.ID != "https://mstdn.ca/users/bob/statuses/112233" || bob.AuthorHandle != "@bob@mstdn.ca" ||
		bob.URL != "https://mstdn.ca/@bob/112233" || bob.Lang != "en" || !reflect.DeepEqual(bob.Tags, []string{"billetsolidaire"}) {
		t.Errorf("remote post = %+v", bob)
	}
}

func TestMastodonLaterReadGoesForwardFromCursor(t *testing.T) {
	var srv *testServer
	srv = newServer(t, mastodonTimeline(t, &srv))
	r := newTestReader(srv, newClock(), nil)
	page, err := r.Read(context.Background(), mastodonSource("103000000000000110"), []string{"billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.count() != 2 {
		t.Errorf("requests = %d, want 2 (min_id=cursor, then prev until an empty page)", srv.count())
	}
	if q := srv.request(0).URL.Query(); q.Get("min_id") != "103000000000000110" || q.Get("since_id") != "" {
		t.Errorf("first query = %v", q)
	}
	if page.Cursor != "103000000000000112" {
		t.Errorf("cursor = %q", page.Cursor)
	}
	if len(page.Posts) != 2 {
		t.Fatalf("posts = %+v", page.Posts)
	}
	if got := page.Posts[1].Text; got != "politique — Le débat municipal #billetsolidaire" {
		t.Errorf("content warning text = %q", got)
	}
}

func TestMastodonSeveralHashtagsAskAnyOf(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []byte("[]"))
	})
	r := newTestReader(srv, newClock(), nil)
	page, err := r.Read(context.Background(), mastodonSource("5"), []string{"#BilletSolidaire", "repasSuspendu", "billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	req := srv.request(0)
	if req.URL.Path != "/api/v1/timelines/tag/billetsolidaire" || !reflect.DeepEqual(req.URL.Query()["any[]"], []string{"repassuspendu"}) {
		t.Errorf("request = %s", req.URL)
	}
	if page.Cursor != "5" || len(page.Posts) != 0 {
		t.Errorf("page = %+v", page)
	}
}

func TestMastodonUnknownHashtagIsEmpty(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, fixture(t, "mastodon_error_404.json"))
	})
	page, err := newTestReader(srv, newClock(), nil).Read(context.Background(), mastodonSource("42"), []string{"rien"})
	if err != nil || page.Cursor != "42" || len(page.Posts) != 0 {
		t.Errorf("page, err = %+v, %v", page, err)
	}
}

func TestMastodonExhaustedRateLimitStopsAndWaits(t *testing.T) {
	clk := newClock()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<`+"http://"+r.Host+r.URL.Path+`?max_id=103000000000000109>; rel="next"`)
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "2026-12-01T12:05:00.000Z")
		writeJSON(w, 200, fixture(t, "mastodon_tag_newest.json"))
	})
	page, err := newTestReader(srv, clk, nil).Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.count() != 1 || page.Wait != 5*time.Minute || len(page.Posts) != 2 || page.Cursor != "103000000000000110" {
		t.Errorf("requests %d, page %+v", srv.count(), page)
	}
}

func TestMastodonTooManyRequests(t *testing.T) {
	clk := newClock()
	for _, tc := range []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "120", 120 * time.Second},
		{"http date", "Tue, 01 Dec 2026 12:03:00 GMT", 3 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tc.header)
				writeJSON(w, 429, fixture(t, "mastodon_error_429.json"))
			})
			_, err := newTestReader(srv, clk, nil).Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
			var ra market.RetryAfter
			if !errors.As(err, &ra) || ra.RetryAfter() != tc.want {
				t.Fatalf("err = %v", err)
			}
			if !strings.HasPrefix(err.Error(), "Trop de requêtes : 127.0.0.1:") || !strings.HasSuffix(err.Error(), fmt.Sprintf("demande d'attendre %d s", int(tc.want.Seconds()))) {
				t.Errorf("message = %q", err.Error())
			}
			if market.ErrorCode(err) != market.ERateLimited || market.ErrorMessage(err) != err.Error() {
				t.Errorf("domain error = %s %s", market.ErrorCode(err), market.ErrorMessage(err))
			}
		})
	}
}

func TestMastodonServerErrorAndMalformedJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"bad gateway", 502, "<html>Bad Gateway</html>", "ne répond pas correctement (erreur 502)"},
		{"malformed", 200, `[{"id": "1", "uri": `, "Réponse illisible de mastodon.social"},
		{"not a list", 200, `{"error":"oops"}`, "Réponse illisible de"},
		{"closed timelines", 422, `{"error":"This method requires an authenticated user"}`, "refuse la lecture publique (erreur 422)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, []byte(tc.body))
			})
			_, err := newTestReader(srv, newClock(), nil).Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var ra market.RetryAfter
			if !errors.As(err, &ra) || ra.RetryAfter() != 0 || market.ErrorCode(err) != market.EUnavailable {
				t.Errorf("err = %#v", err)
			}
		})
	}
}

func TestMastodonErrorAfterFirstPageKeepsWhatWasRead(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("max_id") != "" {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, 429, fixture(t, "mastodon_error_429.json"))
			return
		}
		w.Header().Set("Link", `<http://`+r.Host+r.URL.Path+`?max_id=103000000000000109>; rel="next"`)
		writeJSON(w, 200, fixture(t, "mastodon_tag_newest.json"))
	})
	page, err := newTestReader(srv, newClock(), nil).Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
	if err != nil || len(page.Posts) != 2 || page.Wait != 30*time.Second || page.Cursor != "103000000000000110" {
		t.Errorf("page, err = %+v, %v", page, err)
	}
}

func TestMastodonGoneAsksOriginServers(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/statuses/103000000000000110":
			writeJSON(w, 200, fixture(t, "mastodon_status_110.json"))
		default:
			writeJSON(w, 404, fixture(t, "mastodon_error_404.json"))
		}
	})
	r := newTestReader(srv, newClock(), nil)
	ids := []string{
		"https://mastodon.social/users/alice/statuses/103000000000000110",
		"https://mstdn.ca/users/bob/statuses/112233",
		"https://misskey.example/notes/9abc",                     // not Mastodon-shaped: not asked
		"https://169.254.169.254/users/x/statuses/1",             // an address, not a host name: not asked
		"https://mastodon.social/users/alice/statuses/../../x/1", // not a status URI
	}
	gone, err := r.Gone(context.Background(), mastodonSource(""), ids)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gone, []string{"https://mstdn.ca/users/bob/statuses/112233"}) {
		t.Errorf("gone = %v", gone)
	}
	if srv.count() != 2 {
		t.Errorf("requests = %d, want 2", srv.count())
	}
}

func TestMastodonGoneWhenServerFails(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, []byte(`{"error":"boom"}`))
	})
	_, err := newTestReader(srv, newClock(), nil).Gone(context.Background(), mastodonSource(""),
		[]string{"https://mastodon.social/users/alice/statuses/1", "https://mastodon.social/users/alice/statuses/2"})
	if err == nil || srv.count() != 1 {
		t.Errorf("err %v after %d requests: a failing host is asked once per call", err, srv.count())
	}
}

func TestFollowLink(t *testing.T) {
	from := "https://mastodon.social/api/v1/timelines/tag/x?limit=40&min_id=5"
	for _, tc := range []struct{ header, rel, want string }{
		{`<https://mastodon.social/api/v1/timelines/tag/x?limit=40&max_id=3>; rel="next", <https://mastodon.social/api/v1/timelines/tag/x?limit=40&min_id=9>; rel="prev"`, "prev",
			"https://mastodon.social/api/v1/timelines/tag/x?limit=40&min_id=9"},
		{`<https://mastodon.social/api/v1/timelines/tag/x?limit=40&max_id=3>; rel="next"`, "next", "https://mastodon.social/api/v1/timelines/tag/x?limit=40&max_id=3"},
		{`<https://mastodon.social/api/v1/timelines/tag/x?limit=40&since_id=9>; rel="prev"`, "prev", "https://mastodon.social/api/v1/timelines/tag/x?limit=40&min_id=9"},
		{`<https://evil.example/api/v1/timelines/tag/x?max_id=3>; rel="next"`, "next", ""},
		{`<http://mastodon.social/api/v1/timelines/tag/x?max_id=3>; rel="next"`, "next", ""},
		{``, "next", ""},
	} {
		if got := followLink(tc.header, tc.rel, from); got != tc.want {
			t.Errorf("followLink(%q, %s) = %q, want %q", tc.header, tc.rel, got, tc.want)
		}
	}
}

func TestIDAfter(t *testing.T) {
	if !idAfter("110", "99") || idAfter("99", "110") || !idAfter("111", "110") || idAfter("110", "110") || !idAfter("1", "") {
		t.Error("ids compare as numbers")
	}
}

// A hostile post: script, tracking pixel, event handlers, a javascript:
// link, RTL override characters and 100 KB of text.
func TestMastodonHostilePostComesOutInert(t *testing.T) {
	content := `<script>alert("xss")</script><style>p{display:none}</style>` +
		`<p onclick="steal()">Salut <img src="https://track.example/pixel.gif" width="1" height="1" onerror="alert(2)">` +
		"\u202Egnp.exe\u202C \u2066caché\u2069 \x00\x07" +
		`<a href="javascript:alert(3)">clic</a> <a href=" https://ok.example/a?x=1&amp;y=2 ">ok</a> ` +
		`<iframe src="https://evil.example"></iframe>#billetsolidaire</p>` +
		strings.Repeat("<b>bla </b>", 10000)
	st := map[string]any{
		"id": "200", "uri": "https://mastodon.social/users/mallory/statuses/200", "url": "javascript:alert(4)",
		"created_at": "2026-12-01T10:00:00.000Z", "visibility": "public", "language": "fr", "content": content,
		"spoiler_text": "", "reblog": nil, "card": nil, "media_attachments": []any{},
		"account": map[string]any{"acct": "mallory", "display_name": "<b>Mal</b>\u202Elory" + strings.Repeat("x", 1000)},
		"tags":    []any{map[string]any{"name": "billetsolidaire", "url": "https://mastodon.social/tags/billetsolidaire"}},
	}
	body, _ := json.Marshal([]any{st})
	if len(body) < 100_000 {
		t.Fatalf("hostile body is %d bytes", len(body))
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
	page, err := newTestReader(srv, newClock(), nil).Read(context.Background(), mastodonSource(""), []string{"billetsolidaire"})
	if err != nil || len(page.Posts) != 1 {
		t.Fatalf("page, err = %+v, %v", page, err)
	}
	p := page.Posts[0]
	assertInert(t, p.Text, market.MaxMentionText)
	// a display name is plain text on Mastodon: kept as typed (the page
	// escapes it), without its bidi override, cut
	if !strings.HasPrefix(p.AuthorName, "<b>Mal</b>loryxxx") || utf8.RuneCountInString(p.AuthorName) != maxNameRunes {
		t.Errorf("name = %q", p.AuthorName)
	}
	for _, bad := range []string{"alert", "steal", "display:none", "pixel", "evil", "\u202E"} {
		if strings.Contains(p.Text, bad) {
			t.Errorf("text keeps %q: %q", bad, p.Text)
		}
	}
	if !strings.HasPrefix(p.Text, "Salut gnp.exe caché clic ok #billetsolidaire bla bla") {
		t.Errorf("text = %q", p.Text[:80])
	}
	if !reflect.DeepEqual(p.Links, []string{"https://ok.example/a?x=1&y=2"}) {
		t.Errorf("links = %v", p.Links)
	}
	if p.URL != "https://mastodon.social/users/mallory/statuses/200" {
		t.Errorf("a javascript: url must fall back to the uri, got %q", p.URL)
	}
}
