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

func photo(m *market.Merchant, id string) *market.PagePhoto {
	return &market.PagePhoto{ID: id, MerchantID: m.ID, Key: "photos/" + m.ID + "/" + id, Widths: []int{320, 640}, Width: 640, Height: 480}
}

func TestMerchantPage(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := merchant("boulangerie-du-quartier", "Boulangerie du quartier", "boulangerie", "Montréal")
		other := merchant("chez-lea", "Chez Léa", "restaurant", "Lyon")
		for _, x := range []*market.Merchant{m, other} {
			if err := db.CreateMerchant(ctx, x); err != nil {
				t.Fatal(err)
			}
		}

		t.Run("Profile", func(t *testing.T) {
			cp := *m
			cp.DescriptionEN, cp.Facebook, cp.Summary = "A bakery", "https://facebook.com/boul", "Du pain au levain"
			cp.Hours = []market.OpeningHours{{Day: 1, Opens: "08:00", Closes: "18:00"}}
			if err := db.UpdateProfile(ctx, &cp, "usr_x", []string{"description_en", "links.facebook", "summary", "hours"}); err != nil {
				t.Fatal(err)
			}
			got, err := db.Merchant(ctx, m.Slug)
			if err != nil || got.DescriptionEN != "A bakery" || got.Facebook != cp.Facebook || len(got.Hours) != 1 || got.Hours[0].Closes != "18:00" {
				t.Fatalf("after update: %+v %v", got, err)
			}
			// The search text follows the summary.
			list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Query: "levain"})
			if err != nil || len(list) != 1 {
				t.Fatalf("search: %d %v", len(list), err)
			}
			changes, err := db.PageChanges(ctx, m.ID, 20)
			if err != nil || len(changes) != 4 {
				t.Fatalf("changes: %d %v", len(changes), err)
			}
		})

		t.Run("Status", func(t *testing.T) {
			if err := db.SetOpenStatus(ctx, m.ID, "usr_x", market.StatusTakeout, "Commandez au comptoir", now.Add(48*time.Hour), now); err != nil {
				t.Fatal(err)
			}
			if err := db.SetOpenStatus(ctx, other.ID, "usr_x", market.StatusTakeout, "", now.Add(-time.Hour), now); err != nil {
				t.Fatal(err)
			}
			list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Status: market.StatusTakeout})
			if err != nil || len(list) != 1 || list[0].Slug != m.Slug || list[0].StatusNote != "Commandez au comptoir" ||
				list[0].StatusAt(now) != market.StatusTakeout {
				t.Fatalf("takeout listing (the lapsed one left out): %v %v", list, err)
			}
			list, _, err = db.ListMerchants(ctx, market.MerchantFilter{Status: market.StatusTakeout, Query: "boulangerie"})
			if err != nil || len(list) != 1 {
				t.Fatalf("takeout search: %v %v", list, err)
			}
			list, _, err = db.ListMerchants(ctx, market.MerchantFilter{Status: market.StatusDelivery})
			if err != nil || len(list) != 0 {
				t.Fatalf("delivery: %v %v", list, err)
			}
			if err := db.SetOpenStatus(ctx, "mer_nope", "usr_x", market.StatusOpen, "", time.Time{}, now); code(err) != market.ENotFound {
				t.Fatalf("unknown merchant: %v", err)
			}
		})

		t.Run("Photos", func(t *testing.T) {
			for i := 0; i < market.MaxPagePhotos; i++ {
				p := photo(m, fmt.Sprintf("pho_%d", i))
				if err := db.AddPhoto(ctx, p, "usr_x"); err != nil || p.Position != i {
					t.Fatalf("photo %d: position %d, %v", i, p.Position, err)
				}
			}
			if err := db.AddPhoto(ctx, photo(m, "pho_7"), "usr_x"); code(err) != market.EConflict {
				t.Fatalf("seventh photo: %v", err)
			}
			got, _ := db.Merchant(ctx, m.Slug)
			if got.Cover == nil || got.Cover.ID != "pho_0" || market.PhotoURL(got.Cover, 640) != "/media/photos/"+m.ID+"/pho_0-640.jpg" {
				t.Fatalf("cover %+v", got.Cover)
			}
			if _, err := db.MovePhoto(ctx, m.ID, "pho_3", 0, "usr_x"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.MovePhoto(ctx, other.ID, "pho_3", 0, "usr_x"); code(err) != market.ENotFound {
				t.Fatalf("another merchant's photo: %v", err)
			}
			list, _, _ := db.ListMerchants(ctx, market.MerchantFilter{City: "montreal"})
			if len(list) != 1 || list[0].Cover == nil || list[0].Cover.ID != "pho_3" || list[0].Cover.Width != 640 {
				t.Fatalf("card cover %+v", list[0].Cover)
			}
			if err := db.HidePhoto(ctx, m.ID, "pho_3", "usr_admin", "Photo floue"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DeletePhoto(ctx, m.ID, "pho_1", "usr_x"); err != nil {
				t.Fatal(err)
			}
			page, err := db.MerchantPage(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range page.Photos {
				ids = append(ids, fmt.Sprintf("%s@%d", p.ID, p.Position))
			}
			if strings.Join(ids, " ") != "pho_0@1 pho_2@2 pho_4@3 pho_5@4" {
				t.Fatalf("visible photos %v", ids)
			}
			all, _ := db.PagePhotos(ctx, m.ID, true)
			if len(all) != 5 || !all[0].Hidden || all[0].HiddenReason != "Photo floue" {
				t.Fatalf("own photos %+v", all[0])
			}
			got, _ = db.Merchant(ctx, m.Slug)
			if got.Cover == nil || got.Cover.ID != "pho_0" {
				t.Fatalf("cover after hiding: %+v", got.Cover)
			}
		})

		t.Run("PostsAndFollowers", func(t *testing.T) {
			mailTo := func(f *market.Follower) (*market.Mail, error) {
				return &market.Mail{To: f.Email, Subject: "s", Text: "t " + f.UnsubscribeToken,
					Headers: map[string]string{"List-Unsubscribe": "<https://x/u?token=" + f.UnsubscribeToken + ">"}}, nil
			}
			f := &market.Follower{ID: "fol_1", MerchantID: m.ID, Email: "awa@example.org", Lang: "fr", ConsentText: market.FollowConsentFR,
				ConsentAt: now, UnsubscribeToken: "unsub-1"}
			asked, err := db.AddFollower(ctx, f, "hash-1", now.Add(time.Hour), mailTo)
			if err != nil || !asked {
				t.Fatalf("follow: %v %v", asked, err)
			}
			if _, err := db.ConfirmFollower(ctx, "hash-nope", now); code(err) != market.EInvalid {
				t.Fatalf("unknown hash: %v", err)
			}
			if id, err := db.ConfirmFollower(ctx, "hash-1", now); err != nil || id != m.ID {
				t.Fatalf("confirm: %q %v", id, err)
			}
			if _, err := db.ConfirmFollower(ctx, "hash-1", now); code(err) != market.EInvalid {
				t.Fatalf("confirmed twice: %v", err)
			}
			again := *f
			again.ID, again.UnsubscribeToken = "fol_2", "unsub-2"
			if asked, err := db.AddFollower(ctx, &again, "hash-2", now.Add(time.Hour), mailTo); err != nil || asked {
				t.Fatalf("follows already: %v %v", asked, err)
			}
			late := &market.Follower{ID: "fol_3", MerchantID: m.ID, Email: "late@example.org", Lang: "en", ConsentText: market.FollowConsentEN,
				ConsentAt: now, UnsubscribeToken: "unsub-3"}
			db.AddFollower(ctx, late, "hash-3", now.Add(time.Hour), mailTo)
			if _, err := db.ConfirmFollower(ctx, "hash-3", now.Add(2*time.Hour)); code(err) != market.EInvalid {
				t.Fatalf("expired link: %v", err)
			}

			post := &market.NewsPost{ID: "post_1", MerchantID: m.ID, Body: "Croissants demain", PhotoID: "pho_0", AuthorID: "usr_x"}
			if err := db.CreatePost(ctx, post, mailTo); err != nil {
				t.Fatal(err)
			}
			if err := db.CreatePost(ctx, &market.NewsPost{ID: "post_x", MerchantID: m.ID, Body: "x", PhotoID: "pho_nope"}, mailTo); code(err) != market.EInvalid {
				t.Fatalf("unknown photo: %v", err)
			}
			mails, _ := db.Mails(ctx, "", 50)
			news := 0
			for _, ml := range mails {
				if ml.Text == "t unsub-1" && ml.Headers["List-Unsubscribe"] == "<https://x/u?token=unsub-1>" {
					news++
				}
			}
			if news != 2 { // the confirmation, then the news
				t.Fatalf("mails to the follower: %d", news)
			}
			db.CreatePost(ctx, &market.NewsPost{ID: "post_2", MerchantID: m.ID, Body: "Deux"}, nil)
			db.CreatePost(ctx, &market.NewsPost{ID: "post_3", MerchantID: other.ID, Body: "Lyon"}, nil)
			if err := db.HidePost(ctx, m.ID, "post_2", "usr_admin", "Hors sujet"); err != nil {
				t.Fatal(err)
			}
			list, next, err := db.MerchantPosts(ctx, m.ID, market.Page{Limit: 5})
			if err != nil || len(list) != 1 || list[0].ID != "post_1" || next != "" {
				t.Fatalf("visible posts %v %q %v", list, next, err)
			}
			own, _, _ := db.OwnPosts(ctx, m.ID, market.Page{Limit: 1})
			if len(own) != 1 {
				t.Fatalf("own posts %v", own)
			}
			if _, err := db.NewsPost(ctx, "post_2"); code(err) != market.ENotFound {
				t.Fatalf("hidden post: %v", err)
			}
			city, _ := db.CityPosts(ctx, "Montréal", 10)
			latest, _ := db.LatestPosts(ctx, 10)
			if len(city) != 1 || len(latest) != 2 {
				t.Fatalf("feeds: city %d, latest %d", len(city), len(latest))
			}
			page, _ := db.MerchantPage(ctx, m.ID)
			if page.Followers != 1 {
				t.Fatalf("followers %d", page.Followers)
			}
			if id, err := db.Unsubscribe(ctx, "unsub-1", now); err != nil || id != m.ID {
				t.Fatalf("unsubscribe: %v", err)
			}
			if _, err := db.Unsubscribe(ctx, "unsub-1", now); err != nil {
				t.Fatalf("unsubscribe again: %v", err)
			}
			if n, _ := db.FollowerCount(ctx, m.ID); n != 0 {
				t.Fatalf("followers after unsubscribing: %d", n)
			}
			if n, err := db.MailFollowers(ctx, m.ID, mailTo); n != 0 || err != nil {
				t.Fatalf("mail after unsubscribing: %d %v", n, err)
			}
			if err := db.DeletePost(ctx, other.ID, "post_1", "usr_x"); code(err) != market.ENotFound {
				t.Fatalf("delete another's post: %v", err)
			}
			if err := db.DeletePost(ctx, m.ID, "post_1", "usr_x"); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestSeventhPhotoRace uploads more photos at once than a page holds:
// exactly MaxPagePhotos are kept, on both engines.
func TestSeventhPhotoRace(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := merchant("boulangerie-du-quartier", "Boulangerie du quartier", "boulangerie", "Montréal")
		if err := db.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				err := db.AddPhoto(ctx, photo(m, fmt.Sprintf("pho_%02d", i)), "usr_x")
				mu.Lock()
				defer mu.Unlock()
				switch code(err) {
				case "":
					ok++
				case market.EConflict:
					conflicts++
				default:
					t.Errorf("photo %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		all, _ := db.PagePhotos(ctx, m.ID, true)
		if ok != market.MaxPagePhotos || conflicts != 16-market.MaxPagePhotos || len(all) != market.MaxPagePhotos {
			t.Fatalf("%d stored, %d conflicts, %d photos", ok, conflicts, len(all))
		}
		for i, p := range all {
			if p.Position != i {
				t.Fatalf("positions %d at %d", p.Position, i)
			}
		}
	})
}
