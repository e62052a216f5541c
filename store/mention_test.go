package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// fakeNetwork is a SocialReader that serves fixed posts, counts reads and
// can fail or ask to wait.
type fakeNetwork struct {
	mu    sync.Mutex
	posts []market.Post
	reads int
	fail  error
	wait  time.Duration
	gone  map[string]bool
}

func (f *fakeNetwork) Read(ctx context.Context, src *market.MentionSource, tags []string) (*market.PostPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.fail != nil {
		return nil, f.fail
	}
	return &market.PostPage{Posts: append([]market.Post(nil), f.posts...), Cursor: fmt.Sprint(len(f.posts)), Wait: f.wait}, nil
}

func (f *fakeNetwork) Gone(ctx context.Context, src *market.MentionSource, ids []string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range ids {
		if f.gone[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

type waitErr struct{ d time.Duration }

func (e waitErr) Error() string             { return "slow down" }
func (e waitErr) RetryAfter() time.Duration { return e.d }
func (e waitErr) Unwrap() error             { return nil }
func post(id, author, text string, at time.Time) market.Post {
	return market.Post{Network: market.NetworkMastodon, ID: "https://mastodon.test/users/" + author + "/statuses/" + id,
		URL: "https://mastodon.test/@" + author + "/" + id, AuthorHandle: "@" + author + "@mastodon.test", AuthorName: author,
		PostedAt: at, Text: text, Tags: []string{"billetsolidaire"}}
}

func TestMentions(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := now
		db.SetClock(func() time.Time { return clock })
		shop := merchant("boulangerie", "Boulangerie", "boulangerie", "Montréal")
		if err := db.CreateMerchant(ctx, shop); err != nil {
			t.Fatal(err)
		}
		cam := &market.Campaign{ID: "cam_bs", Slug: "billetsolidaire", Title: "#billetsolidaire", Hashtags: []string{"BilletSolidaire"},
			StartsAt: now.Add(-72 * time.Hour), EndsAt: now.Add(30 * 24 * time.Hour), Currency: market.CAD}
		if err := db.CreateCampaign(ctx, cam, []string{"boulangerie"}, nil); err != nil {
			t.Fatal(err)
		}
		link := &market.ShareLink{Code: "abcd2345wxyz", CampaignID: cam.ID, Channel: "mastodon", Target: "/c/billetsolidaire"}
		if err := db.CreateShareLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		net := &fakeNetwork{gone: map[string]bool{}}
		svc := &market.Mentions{Store: db, Reader: net, BaseURL: "https://solidaire.test", Now: func() time.Time { return clock }}

		t.Run("AddSource", func(t *testing.T) {
			for _, tc := range []struct {
				name, network, instance, url, field string
			}{
				{"UnknownNetwork", "myspace", "", "", "network"},
				{"NoInstance", "mastodon", "", "", "instance"},
				{"IPAddress", "mastodon", "10.0.0.1", "", "instance"},
				{"SingleLabel", "mastodon", "localhost", "", "instance"},
				{"BadFeed", "feed", "", "ftp://x.test/feed", "url"},
				{"FeedToMetadata", "feed", "", "http://169.254.169.254/latest", "url"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := svc.AddSource(ctx, cam, market.Network(tc.network), tc.instance, tc.url)
					var me *market.Error
					if code(err) != market.EInvalid || !asError(err, &me) || me.Fields[tc.field] == "" {
						t.Fatalf("got %v, want invalid %s", err, tc.field)
					}
				})
			}
			src, err := svc.AddSource(ctx, cam, market.NetworkMastodon, "https://Mastodon.Social/", "")
			if err != nil || src.Instance != "mastodon.social" {
				t.Fatalf("got %+v, %v", src, err)
			}
			if _, err := svc.AddSource(ctx, cam, market.NetworkMastodon, "mastodon.social", ""); code(err) != market.EConflict {
				t.Fatalf("duplicate: got %v, want conflict", err)
			}
			b, err := svc.AddSource(ctx, cam, market.NetworkBluesky, "", "")
			if err != nil || b.Instance != market.DefaultBlueskyHost {
				t.Fatalf("bluesky: %+v, %v", b, err)
			}
			if err := svc.RemoveSource(ctx, cam, b.ID); err != nil {
				t.Fatal(err)
			}
			if err := svc.RemoveSource(ctx, cam, b.ID); code(err) != market.ENotFound {
				t.Fatalf("second removal: %v", err)
			}
		})

		hostile := strings.Repeat("ש", 600)
		net.posts = []market.Post{
			post("1", "awa", "Je soutiens le Théâtre #BilletSolidaire https://solidaire.test/s/ABCD2345WXYZ et https://solidaire.test/m/boulangerie", now.Add(-time.Hour)),
			post("2", "jo", "Pas de remboursement pour moi #billetsolidaire "+hostile, now.Add(-2*time.Hour)),
			post("3", "jo", "#billetsolidaire2 n'est pas le même mot-clic", now.Add(-3*time.Hour)),
			post("4", "vieux", "#billetsolidaire d'avant la campagne", now.Add(-30*24*time.Hour)),
		}
		net.posts[2].Tags = nil

		t.Run("PollDedupes", func(t *testing.T) {
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			// Read again a minute later: the same posts are found, none
			// is stored twice.
			clock = clock.Add(time.Minute)
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if net.reads != 2 {
				t.Fatalf("reads = %d, want 2 (one a minute)", net.reads)
			}
			// Within the minute the source is not read again.
			if err := svc.Poll(ctx); err != nil || net.reads != 2 {
				t.Fatalf("read within the minute: %d, %v", net.reads, err)
			}
			list, _, err := svc.List(ctx, cam, market.MentionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 {
				t.Fatalf("got %d mentions, want 2: %+v", len(list), list)
			}
			first := list[0]
			if first.ShareLink != "abcd2345wxyz" || first.Merchant != "boulangerie" || first.Status != market.MentionPending {
				t.Fatalf("attribution: %+v", first)
			}
			if n := len([]rune(list[1].Text)); n > market.MaxMentionText {
				t.Fatalf("excerpt of %d runes", n)
			}
			srcs, _ := svc.Sources(ctx, cam)
			if len(srcs) != 1 || srcs[0].Mentions != 2 || srcs[0].LastReadAt.IsZero() || srcs[0].LastError != "" {
				t.Fatalf("source: %+v", srcs[0])
			}
		})

		t.Run("Backoff", func(t *testing.T) {
			net.fail = &market.Error{Code: market.EUnavailable, Message: "mastodon.social ne répond pas."}
			clock = clock.Add(time.Minute)
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			srcs, _ := svc.Sources(ctx, cam)
			if srcs[0].LastError != "mastodon.social ne répond pas." || srcs[0].Failures != 1 || !srcs[0].NextReadAt.After(clock.Add(59*time.Second)) {
				t.Fatalf("after a failure: %+v", srcs[0])
			}
			net.fail = waitErr{2 * time.Hour}
			clock = srcs[0].NextReadAt
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			srcs, _ = svc.Sources(ctx, cam)
			if !srcs[0].NextReadAt.Equal(clock.Add(2*time.Hour).Truncate(time.Millisecond)) || srcs[0].Failures != 2 {
				t.Fatalf("Retry-After not honoured: %+v (now %v)", srcs[0], clock)
			}
			net.fail = nil
			clock = srcs[0].NextReadAt
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			srcs, _ = svc.Sources(ctx, cam)
			if srcs[0].Failures != 0 || srcs[0].LastError != "" {
				t.Fatalf("a success clears the failures: %+v", srcs[0])
			}
		})

		t.Run("Moderation", func(t *testing.T) {
			list, _, _ := svc.List(ctx, cam, market.MentionFilter{Status: market.MentionPending})
			awa, jo := list[0], list[1]
			wall, _ := svc.Wall(ctx, cam)
			if len(wall) != 0 {
				t.Fatal("nothing shows unapproved")
			}
			for _, m := range []*market.Mention{awa, jo} {
				if _, err := svc.Moderate(ctx, cam, m.ID, market.MentionApproved); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.Moderate(ctx, &market.Campaign{ID: "cam_other"}, awa.ID, market.MentionHidden); code(err) != market.ENotFound {
				t.Fatalf("another campaign's mention: %v", err)
			}
			wall, _ = svc.Wall(ctx, cam)
			if len(wall) != 2 {
				t.Fatalf("wall: %d", len(wall))
			}
			// Reports: the third takes the post off the wall.
			for i := 0; i < 3; i++ {
				if err := svc.Report(ctx, cam, jo.ID); err != nil {
					t.Fatal(err)
				}
			}
			if err := svc.Report(ctx, cam, jo.ID); code(err) != market.ENotFound {
				t.Fatalf("report off the wall: %v", err)
			}
			wall, _ = svc.Wall(ctx, cam)
			if len(wall) != 1 || wall[0].ID != awa.ID {
				t.Fatalf("wall after reports: %+v", wall)
			}
			// Blocking an author hides their posts, also those found later.
			if _, err := svc.Block(ctx, cam, market.NetworkMastodon, jo.AuthorHandle, "usr_org"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Moderate(ctx, cam, jo.ID, market.MentionApproved); code(err) != market.EConflict {
				t.Fatalf("approving a blocked author: %v", err)
			}
			net.posts = append(net.posts, post("5", "jo", "Encore #billetsolidaire", now))
			clock = clock.Add(time.Minute)
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			hidden, _, _ := svc.List(ctx, cam, market.MentionFilter{Status: market.MentionHidden})
			if len(hidden) != 2 {
				t.Fatalf("hidden: %d, want 2", len(hidden))
			}
			if err := svc.Unblock(ctx, cam, market.NetworkMastodon, jo.AuthorHandle); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("Gone", func(t *testing.T) {
			list, _, _ := svc.List(ctx, cam, market.MentionFilter{Status: market.MentionApproved})
			if len(list) != 1 {
				t.Fatalf("approved: %d", len(list))
			}
			net.gone[list[0].Post.ID] = true
			clock = clock.Add(11 * time.Minute)
			if err := svc.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			wall, _ := svc.Wall(ctx, cam)
			if len(wall) != 0 {
				t.Fatalf("a deleted post stays on the wall: %+v", wall)
			}
			all, _, _ := svc.List(ctx, cam, market.MentionFilter{})
			for _, m := range all {
				if m.ID == list[0].ID && !m.Gone {
					t.Fatal("not marked gone")
				}
			}
		})

		t.Run("Stats", func(t *testing.T) {
			st, err := svc.Stats(ctx, cam)
			if err != nil {
				t.Fatal(err)
			}
			if st.Total != 3 || st.ByNetwork[market.NetworkMastodon] != 3 || st.ByLink["abcd2345wxyz"] != 1 || len(st.ByDay) == 0 ||
				len(st.TopAuthors) != 2 || st.TopAuthors[0].Posts != 2 {
				t.Fatalf("stats: %+v", st)
			}
		})

		t.Run("Pages", func(t *testing.T) {
			first, next, err := svc.List(ctx, cam, market.MentionFilter{Page: market.Page{Limit: 2}})
			if err != nil || len(first) != 2 || next == "" {
				t.Fatalf("first page: %d %q %v", len(first), next, err)
			}
			rest, next2, err := svc.List(ctx, cam, market.MentionFilter{Page: market.Page{Limit: 2, Cursor: next}})
			if err != nil || len(rest) != 1 || next2 != "" || rest[0].ID == first[1].ID {
				t.Fatalf("second page: %+v %q %v", rest, next2, err)
			}
			if _, _, err := svc.List(ctx, cam, market.MentionFilter{Status: "weird"}); code(err) != market.EInvalid {
				t.Fatalf("bad status: %v", err)
			}
		})

		t.Run("Purge", func(t *testing.T) {
			clock = cam.EndsAt.Add(91 * 24 * time.Hour)
			svc2 := &market.Mentions{Store: db, Reader: net, Now: func() time.Time { return clock }}
			if err := svc2.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			all, _, _ := svc.List(ctx, cam, market.MentionFilter{})
			if len(all) != 0 {
				t.Fatalf("%d mentions left after the purge", len(all))
			}
		})
	})
}

// TestMentionsConcurrentPolls: two instances that poll at once (had the
// lease failed) still store each post once; the lease lets one of them
// poll.
func TestMentionsConcurrentPolls(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cam := &market.Campaign{ID: "cam_x", Slug: "achatlocal", Title: "#achatlocal", Hashtags: []string{"achatlocal"},
			StartsAt: now.Add(-time.Hour), Currency: market.CAD}
		if err := db.CreateCampaign(ctx, cam, nil, nil); err != nil {
			t.Fatal(err)
		}
		net := &fakeNetwork{}
		for i := 0; i < 50; i++ {
			p := post(fmt.Sprint(i), fmt.Sprint("a", i%7), "#achatlocal", now.Add(-time.Duration(i)*time.Minute))
			p.Tags = []string{"achatlocal"}
			net.posts = append(net.posts, p)
		}
		svc := &market.Mentions{Store: db, Reader: net, AllowPrivateHosts: true, Now: func() time.Time { return now }}
		if _, err := svc.AddSource(ctx, cam, market.NetworkMastodon, "127.0.0.1:9", ""); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				other := &market.Mentions{Store: db, Reader: net, Now: func() time.Time { return now }}
				errs <- other.Poll(ctx)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		list, _, err := svc.List(ctx, cam, market.MentionFilter{Page: market.Page{Limit: 100}})
		if err != nil || len(list) != 50 {
			t.Fatalf("got %d mentions, %v; want 50", len(list), err)
		}
		ran := 0
		for _, holder := range []string{"a", "b"} {
			p := &market.Pass{Name: "mentions", Leases: db, Holder: holder, Every: 20 * time.Second,
				Run: svc.Poll, Now: func() time.Time { return now }}
			if ok, err := p.Round(ctx); err != nil {
				t.Fatal(err)
			} else if ok {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("%d instances polled, want 1", ran)
		}
	})
}

func asError(err error, target **market.Error) bool {
	me, ok := err.(*market.Error)
	if ok {
		*target = me
	}
	return ok
}
