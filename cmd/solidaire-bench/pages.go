package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/photo"
	"github.com/solidaire-app/solidaire/storage"
	"github.com/solidaire-app/solidaire/store"
)

// campaignWall measures GET /api/v1/campaigns/{slug} with its wall of 20
// approved posts among 5,000 mentions, without the catalogue's cache,
// next to the same request answered without a wall: the ratio is what the
// wall costs the campaign page.
func campaignWall(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "campaign wall", func(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
		cam, err := db.Campaign(ctx, "billetsolidaire")
		if err != nil {
			return bench.Row{}, err
		}
		now := time.Now()
		var found []*market.Mention
		for i := 0; i < 5000; i++ {
			status := market.MentionPending
			if i%250 == 0 {
				status = market.MentionApproved
			}
			url := fmt.Sprintf("https://mastodon.example/@bench%d/%d", i%300, i)
			found = append(found, &market.Mention{ID: market.NewID("men"), Status: status, Post: market.Post{
				Network: market.NetworkMastodon, ID: url, URL: url, AuthorHandle: fmt.Sprintf("@bench%d@mastodon.example", i%300),
				AuthorName: "Bench", PostedAt: now.Add(-time.Duration(i) * time.Minute), Lang: "fr",
				Text: "Je garde mon billet pour que la salle vive #billetsolidaire"}})
		}
		if _, err := db.RecordMentions(ctx, &market.MentionSource{CampaignID: cam.ID}, found, "", now, now); err != nil {
			return bench.Row{}, err
		}
		mentions := &market.Mentions{Store: db}
		withWall, stop, err := serve(api.New(api.Config{Catalogue: db, Mentions: mentions, CatalogueTTL: -1, Logger: accessLogger()}))
		if err != nil {
			return bench.Row{}, err
		}
		defer stop()
		without, stopWithout, err := serve(api.New(api.Config{Catalogue: db, CatalogueTTL: -1, Logger: accessLogger()}))
		if err != nil {
			return bench.Row{}, err
		}
		defer stopWithout()
		path := "/api/v1/campaigns/" + cam.Slug
		get := func(base string) func() *http.Request {
			return func() *http.Request { r, _ := http.NewRequest("GET", base+path, nil); return r }
		}
		ok := func(s int) bool { return s == 200 }
		figure := bench.Load(ctx, *conns, *duration, get(withWall), ok)
		baseline := bench.Load(ctx, *conns, *duration, get(without), ok)
		return bench.Row{
			Scenario: "campaign wall " + engine,
			Figure:   figure.String(),
			Baseline: "the page without its wall: " + baseline.String(),
			Ratio:    figure.PerSecond() / baseline.PerSecond(),
			Note:     "20 approved posts among 5,000 mentions of 300 authors; no catalogue cache",
		}, nil
	})
}

// photoUpload measures POST /api/v1/merchant/photos (a 1600×1200 JPEG from
// a phone: decoded, resized to three widths, stored) by 4 merchants at
// once, next to the same resizing and storing called directly: the ratio
// is what HTTP, multipart and the database add to the image work, and the
// peak memory is the resizer's.
func photoUpload(ctx context.Context) ([]bench.Row, error) {
	return eachEngine(ctx, "photo upload", func(ctx context.Context, db *store.DB, engine string) (bench.Row, error) {
		dir, err := os.MkdirTemp("", "solidaire-bench-photos-")
		if err != nil {
			return bench.Row{}, err
		}
		defer os.RemoveAll(dir)
		files, err := storage.NewLocal(dir)
		if err != nil {
			return bench.Row{}, err
		}
		resizer := photo.New()
		pages := &market.MerchantPages{Store: db, Resizer: resizer, Files: files}
		base, stop, err := serve(api.New(api.Config{Catalogue: db, Merchants: db, SignIn: &market.SignIn{Store: db}, MerchantPages: pages, PageReads: db,
			Media: files, Logger: accessLogger()}))
		if err != nil {
			return bench.Row{}, err
		}
		defer stop()
		var jpg bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
		for y := 0; y < 1200; y++ {
			for x := 0; x < 1600; x++ {
				img.Set(x, y, color.RGBA{uint8(x / 7), uint8(y / 5), uint8((x + y) / 11), 255})
			}
		}
		if err := jpeg.Encode(&jpg, img, &jpeg.Options{Quality: 85}); err != nil {
			return bench.Row{}, err
		}
		list, _, err := db.ListMerchants(ctx, market.MerchantFilter{Page: market.Page{Limit: 4}})
		if err != nil {
			return bench.Row{}, err
		}
		var tokens []string
		for _, m := range list {
			tok, err := ownerToken(ctx, db, m)
			if err != nil {
				return bench.Row{}, err
			}
			tokens = append(tokens, tok)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, _ := mw.CreateFormFile("photo", "vitrine.jpg")
		part.Write(jpg.Bytes())
		mw.Close()
		var n atomic.Int64
		req := func() *http.Request {
			tok := tokens[int(n.Add(1))%len(tokens)]
			r, _ := http.NewRequest("POST", base+"/api/v1/merchant/photos", bytes.NewReader(body.Bytes()))
			r.Header.Set("Content-Type", mw.FormDataContentType())
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}
		// A merchant keeps six photos: the ones past six are a 409, which
		// still decode and resize first; count only what was stored.
		figure := bench.Load(ctx, len(tokens), *duration, req, func(s int) bool { return s == 201 || s == 409 })

		var done atomic.Int64
		deadline := time.Now().Add(*duration)
		var wg sync.WaitGroup
		for c := 0; c < len(tokens); c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := 0; time.Now().Before(deadline); i++ {
					out, err := resizer.Resize(bytes.NewReader(jpg.Bytes()))
					if err != nil {
						return
					}
					for _, v := range out.Variants {
						key := fmt.Sprintf("photos/raw%d/p%d-%d.jpg", c, i, v.Width)
						if files.Put(ctx, key, bytes.NewReader(v.JPEG), int64(len(v.JPEG)), "image/jpeg") != nil {
							return
						}
					}
					done.Add(1)
				}
			}(c)
		}
		wg.Wait()
		rawPerSec := float64(done.Load()) / duration.Seconds()
		return bench.Row{
			Scenario: "photo upload " + engine,
			Figure:   figure.String(),
			Baseline: fmt.Sprintf("resize and store directly: %.1f/s", rawPerSec),
			Ratio:    figure.PerSecond() / rawPerSec,
			Note:     "a 1600×1200 JPEG (" + fmt.Sprint(jpg.Len()/1024) + " KiB) by 4 merchants at once, resized to 320, 640 and 1280 px",
		}, nil
	})
}
