package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/social"
)

// TestMentionRoutes: an organiser adds sources, moderates what they found,
// blocks an author and exports the mentions; the public campaign carries
// the approved wall and anyone can report a post on it.
func TestMentionRoutes(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newShop(t, engine, false, api.Limits{})
			ctx := context.Background()
			org := s.token(demo.OrganisateurEmail)
			base := "/api/v1/organiser/campaigns/billetsolidaire"

			for _, sc := range []struct {
				name, method, path, body string
				who                      map[string]string
				status                   int
				want                     string
			}{
				{"ErrNotSignedIn", "GET", base + "/sources", "", nil, 401, "unauthorized"},
				{"ErrNotTheOrganiser", "GET", "/api/v1/organiser/campaigns/achatlocal/sources", "", org, 404, "not_found"},
				{"ErrMerchantOwner", "GET", base + "/mentions", "", s.token(demo.BoulangerieEmail), 404, "not_found"},
				{"ErrUnknownNetwork", "POST", base + "/sources", `{"network": "myspace"}`, org, 400, `"network"`},
				{"ErrNoInstance", "POST", base + "/sources", `{"network": "mastodon"}`, org, 400, `"instance"`},
				{"ErrPrivateHost", "POST", base + "/sources", `{"network": "mastodon", "instance": "127.0.0.1"}`, org, 400, `"instance"`},
				{"ErrFeedScheme", "POST", base + "/sources", `{"network": "feed", "url": "file:///etc/passwd"}`, org, 400, `"url"`},
				{"ErrUnknownField", "POST", base + "/sources", `{"network": "mastodon", "instance": "mastodon.social", "cursor": "1"}`, org, 400, "invalid_input"},
				{"Mastodon", "POST", base + "/sources", `{"network": "mastodon", "instance": "mastodon.social"}`, org, 201, `"instance":"mastodon.social"`},
				{"ErrDuplicate", "POST", base + "/sources", `{"network": "mastodon", "instance": "MASTODON.social"}`, org, 409, "conflict"},
				{"Bluesky", "POST", base + "/sources", `{"network": "bluesky"}`, org, 201, `"instance":"public.api.bsky.app"`},
				{"Feed", "POST", base + "/sources", `{"network": "feed", "url": "https://blog.example.org/feed.xml"}`, org, 201, `"url":"https://blog.example.org/feed.xml"`},
				{"List", "GET", base + "/sources", "", org, 200, `"last_read_at":null`},
				{"ErrBadStatus", "GET", base + "/mentions?status=weird", "", org, 400, `"status"`},
				{"ErrBadCursor", "GET", base + "/mentions?cursor=not!base64", "", org, 400, "invalid_input"},
				{"ErrUnknownMention", "POST", base + "/mentions/men_nope/approve", "", org, 404, "not_found"},
				{"ErrReportUnknown", "POST", "/api/v1/campaigns/billetsolidaire/wall/men_nope/report", "", nil, 404, "not_found"},
			} {
				t.Run(sc.name, func(t *testing.T) {
					st, out, _ := s.do(sc.method, sc.path, sc.body, sc.who)
					if st != sc.status || !strings.Contains(out, sc.want) {
						t.Fatalf("%s %s: %d %s; want %d with %s", sc.method, sc.path, st, out, sc.status, sc.want)
					}
				})
			}

			// What a read found, stored as the poller stores it.
			cam, err := s.db.Campaign(ctx, "billetsolidaire")
			if err != nil {
				t.Fatal(err)
			}
			st, out, _ := s.do("POST", base+"/links", `{"channel": "mastodon", "label": "Pouet"}`, org)
			if st != 201 {
				t.Fatalf("link: %d %s", st, out)
			}
			var link struct{ Code string }
			json.Unmarshal([]byte(out), &link)
			hostile := `=HYPERLINK("http://evil.test","clic") <script>alert(1)</script> ` + "\u202e" + strings.Repeat("x", 400)
			found := []*market.Mention{
				{ID: "men_test_awa", Post: market.Post{Network: market.NetworkMastodon, ID: "https://mastodon.social/users/awa/statuses/1",
					URL: "https://mastodon.social/@awa/1", AuthorHandle: "@awa@mastodon.social", AuthorName: "Awa",
					PostedAt: time.Now().Add(-time.Hour), Text: "J'ai gardé mon billet #billetsolidaire", Lang: "fr", MediaCount: 1},
					ShareLink: link.Code},
				{ID: "men_test_jo", Post: market.Post{Network: market.NetworkBluesky, ID: "at://did:plc:jo/app.bsky.feed.post/2",
					URL: "https://bsky.app/profile/jo.bsky.social/post/2", AuthorHandle: "jo.bsky.social", AuthorName: "Jo",
					PostedAt: time.Now().Add(-2 * time.Hour), Text: hostile}},
			}
			if _, err := s.db.RecordMentions(ctx, &market.MentionSource{CampaignID: cam.ID}, found, "", time.Now(), time.Now()); err != nil {
				t.Fatal(err)
			}
			st, out, _ = s.do("GET", base+"/mentions?status=pending", "", org)
			if st != 200 || !strings.Contains(out, `"share_link":"`+link.Code+`"`) || strings.Contains(out, "<script>") {
				t.Fatalf("pending: %d %s", st, out)
			}
			st, out, _ = s.do("GET", "/api/v1/campaigns/billetsolidaire", "", nil)
			if st != 200 || !strings.Contains(out, `"wall":[`) || strings.Contains(out, "men_test_awa") || strings.Contains(out, "men_test_jo") {
				t.Fatalf("nothing unapproved on the wall: %d %s", st, out)
			}
			seeded := strings.Count(out, `"posted_at"`) // the demo's approved posts
			for _, id := range []string{"men_test_awa", "men_test_jo"} {
				if st, out, _ := s.do("POST", base+"/mentions/"+id+"/approve", "", org); st != 200 || !strings.Contains(out, `"status":"approved"`) {
					t.Fatalf("approve %s: %d %s", id, st, out)
				}
			}
			st, out, _ = s.do("GET", "/api/v1/campaigns/billetsolidaire", "", nil)
			var pub struct {
				Wall []struct {
					ID, Text string
					Author   struct{ Handle, Name string }
				}
			}
			json.Unmarshal([]byte(out), &pub)
			if st != 200 || len(pub.Wall) != seeded+2 || pub.Wall[0].Author.Name != "Awa" || strings.Contains(out, "media") {
				t.Fatalf("wall: %d %s", st, out)
			}
			if st, out, _ := s.do("POST", "/api/v1/campaigns/billetsolidaire/wall/men_test_awa/report", "", nil); st != 202 {
				t.Fatalf("report: %d %s", st, out)
			}

			// The CSV defuses formulas.
			st, out, _ = s.do("GET", base+"/mentions", "", map[string]string{"Authorization": org["Authorization"], "Accept": "text/csv"})
			if st != 200 || !strings.Contains(out, `"'=HYPERLINK`) || !strings.HasPrefix(out, "date,reseau,auteur") {
				t.Fatalf("csv: %d %s", st, out)
			}

			// Blocking an author takes their posts off the wall.
			if st, out, _ := s.do("POST", base+"/blocked-authors", `{"network": "bluesky", "handle": "jo.bsky.social"}`, org); st != 201 {
				t.Fatalf("block: %d %s", st, out)
			}
			if st, out, _ := s.do("GET", base+"/blocked-authors", "", org); st != 200 || !strings.Contains(out, "jo.bsky.social") {
				t.Fatalf("blocked: %d %s", st, out)
			}
			json.Unmarshal([]byte(func() string { _, o, _ := s.do("GET", "/api/v1/campaigns/billetsolidaire", "", nil); return o }()), &pub)
			if len(pub.Wall) != seeded+1 || pub.Wall[0].ID != "men_test_awa" {
				t.Fatalf("wall after blocking: %+v", pub.Wall)
			}
			if st, out, _ := s.do("POST", base+"/mentions/men_test_jo/approve", "", org); st != 409 {
				t.Fatalf("approving a blocked author: %d %s", st, out)
			}
			if st, out, _ := s.do("DELETE", base+"/blocked-authors?network=bluesky&handle=jo.bsky.social", "", org); st != 204 {
				t.Fatalf("unblock: %d %s", st, out)
			}

			// Stats: mentions beside clicks and sales, and per link.
			st, out, _ = s.do("GET", base+"/stats", "", org)
			var stats struct {
				Mentions struct {
					Total     int64
					ByNetwork map[string]int64       `json:"by_network"`
					ByDay     []struct{ Day string } `json:"by_day"`
				}
				Links []struct {
					Code     string
					Mentions int64
				}
			}
			json.Unmarshal([]byte(out), &stats)
			if st != 200 || stats.Mentions.Total < 2 || stats.Mentions.ByNetwork["bluesky"] < 1 || len(stats.Mentions.ByDay) == 0 {
				t.Fatalf("stats: %d %s", st, out)
			}
			for _, l := range stats.Links {
				if l.Code == link.Code && l.Mentions != 1 {
					t.Fatalf("link mentions: %+v", l)
				}
			}

			// Removing a source keeps what it found.
			var srcs struct{ Data []struct{ ID string } }
			_, out, _ = s.do("GET", base+"/sources", "", org)
			json.Unmarshal([]byte(out), &srcs)
			if st, out, _ := s.do("DELETE", base+"/sources/"+srcs.Data[0].ID, "", org); st != 204 {
				t.Fatalf("remove: %d %s", st, out)
			}
			if st, _, _ := s.do("DELETE", base+"/sources/"+srcs.Data[0].ID, "", org); st != 404 {
				t.Fatalf("second removal: %d", st)
			}
		})
	}
}

// TestMentionsFromTheNetworks: an organiser adds a Mastodon instance and
// Bluesky; one poll round reads the instance (a local server answering as
// Mastodon's API does), stores its posts once with the share link they
// carried, and records why Bluesky, unreachable, could not be read; the
// rest of Solidaire answers as usual.
func TestMentionsFromTheNetworks(t *testing.T) {
	s := newShop(t, "sqlite", false, api.Limits{})
	ctx := context.Background()
	org := s.token(demo.OrganisateurEmail)
	base := "/api/v1/organiser/campaigns/billetsolidaire"
	_, out, _ := s.do("POST", base+"/links", `{"channel": "mastodon", "label": "Pouet"}`, org)
	var link struct{ Code string }
	json.Unmarshal([]byte(out), &link)

	posted := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	mastodon := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/timelines/tag/billetsolidaire" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `[{"id": "200", "created_at": %q, "visibility": "public", "language": "fr",
		  "uri": "https://mastodon.social/users/awa/statuses/200", "url": "https://mastodon.social/@awa/200",
		  "content": "<p>Je garde mon billet <a href=\"https://mastodon.social/tags/billetsolidaire\" class=\"mention hashtag\" rel=\"tag\">#<span>billetsolidaire</span></a> <a href=\"%s/s/%s\">%s/s/%s</a><script>alert(1)</script></p>",
		  "reblog": null, "account": {"id": "1", "username": "awa", "acct": "awa", "display_name": "Awa", "url": "https://mastodon.social/@awa"},
		  "media_attachments": [{"id": "9", "type": "image", "url": "https://files.mastodon.social/x.png"}],
		  "tags": [{"name": "billetsolidaire", "url": "https://mastodon.social/tags/billetsolidaire"}], "card": null}]`,
			posted, s.base, link.Code, s.base, link.Code)
	}))
	defer mastodon.Close()
	reader := social.New(social.Config{AllowPrivate: true, Timeout: 2 * time.Second, BaseURL: func(host string) string {
		if host == "mastodon.social" {
			return mastodon.URL
		}
		return "http://127.0.0.1:1" // nothing listens: a network out of reach
	}})
	poller := &market.Mentions{Store: s.db, Reader: reader, BaseURL: s.base}

	for _, body := range []string{`{"network": "mastodon", "instance": "mastodon.social"}`, `{"network": "bluesky"}`} {
		if st, out, _ := s.do("POST", base+"/sources", body, org); st != 201 {
			t.Fatalf("add %s: %d %s", body, st, out)
		}
	}
	for i := 0; i < 2; i++ { // the second round finds nothing due
		if err := poller.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ = s.do("GET", base+"/mentions?network=mastodon", "", org)
	var list struct {
		Data []struct {
			URL        string
			MediaCount int `json:"media_count"`
		}
	}
	json.Unmarshal([]byte(out), &list)
	found := 0
	for _, m := range list.Data {
		if m.URL == "https://mastodon.social/@awa/200" {
			found++
			if m.MediaCount != 1 {
				t.Fatalf("media: %+v", m)
			}
		}
	}
	if found != 1 || strings.Contains(out, "<script") || strings.Contains(out, "alert") {
		t.Fatalf("mentions (%d found): %s", found, out)
	}
	if !strings.Contains(out, `"share_link":"`+link.Code+`"`) {
		t.Fatalf("the post's share link is not credited: %s", out)
	}
	_, out, _ = s.do("GET", base+"/sources", "", org)
	var srcs struct {
		Data []struct {
			LastError string `json:"last_error"`
			Mentions  int64
		}
	}
	json.Unmarshal([]byte(out), &srcs)
	if len(srcs.Data) != 2 || srcs.Data[0].Mentions != 1 || srcs.Data[1].LastError == "" {
		t.Fatalf("sources: %s", out)
	}
	t.Logf("the unreachable source says: %s", srcs.Data[1].LastError)
	if st, _, _ := s.do("GET", "/api/v1/merchants?limit=1", "", nil); st != 200 {
		t.Fatalf("the catalogue suffers: %d", st)
	}
}
