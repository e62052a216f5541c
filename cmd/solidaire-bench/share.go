package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/market"
)

// viralClick measures GET /s/{code} at 64 connections, in process and with
// Redis, next to a bare gin redirect and a gin handler doing one Redis INCR
// before redirecting, measured in the same run.
func viralClick(ctx context.Context) ([]bench.Row, error) {
	db, cleanup, err := openDB(ctx, "sqlite")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	cam, err := db.Campaign(ctx, "billetsolidaire")
	if err != nil {
		return nil, err
	}
	link := &market.ShareLink{Code: market.NewShareCode(), CampaignID: cam.ID, Campaign: cam.Slug, Channel: "facebook",
		Target: "/c/" + cam.Slug}
	if err := db.CreateShareLink(ctx, link); err != nil {
		return nil, err
	}
	path := "/s/" + link.Code
	target := link.Target + "?utm_campaign=billetsolidaire&utm_content=" + link.Code + "&utm_medium=share&utm_source=facebook"
	measure := func(h http.Handler) (bench.Result, error) {
		base, stop, err := serve(h)
		if err != nil {
			return bench.Result{}, err
		}
		defer stop()
		return bench.Load(ctx, *conns, *duration, func() *http.Request {
			r, _ := http.NewRequest("GET", base+path, nil)
			r.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36")
			return r
		}, func(s int) bool { return s == 302 }), nil
	}
	shareServer := func(counter market.Counter) (http.Handler, *market.ClickCounter) {
		clicks := &market.ClickCounter{Shared: counter, Local: cache.NewMemory(), Store: db, Log: quiet()}
		return api.New(api.Config{BaseURL: "http://bench.local", Catalogue: db, Campaigns: db, Clicks: clicks, Logger: accessLogger()}), clicks
	}

	bare := gin.New()
	bare.GET("/s/:code", func(c *gin.Context) { c.Redirect(302, target) })
	baseline, err := measure(bare)
	if err != nil {
		return nil, err
	}
	mem := cache.NewMemory()
	h, clicks := shareServer(mem)
	runCtx, stop := context.WithCancel(ctx)
	go clicks.Run(runCtx, time.Second)
	inproc, err := measure(h)
	stop()
	if err != nil {
		return nil, err
	}
	rows := []bench.Row{{
		Scenario: "viral click, in process",
		Figure:   inproc.String(),
		Baseline: "bare gin redirect: " + baseline.String(),
		Ratio:    inproc.PerSecond() / baseline.PerSecond(),
	}}

	redisURL := os.Getenv("SOLIDAIRE_TEST_REDIS_URL")
	if redisURL == "" {
		return append(rows, bench.Row{Scenario: "viral click, Redis", Figure: "not run: SOLIDAIRE_TEST_REDIS_URL is not set (run through make bench)"}), nil
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, err
	}
	opt.DB = 9 // a database of its own, flushed after
	opt.PoolSize = *conns
	rdb := redis.NewClient(opt)
	defer func() { rdb.FlushDB(context.Background()); rdb.Close() }()
	incr := gin.New()
	incr.GET("/s/:code", func(c *gin.Context) {
		rdb.Incr(c.Request.Context(), "bench:clicks:"+c.Param("code"))
		c.Redirect(302, target)
	})
	incrResult, err := measure(incr)
	if err != nil {
		return nil, err
	}
	rc, err := cache.NewRedis(fmt.Sprintf("redis://%s/9", opt.Addr), "bench:")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h, clicks = shareServer(rc)
	runCtx, stop = context.WithCancel(ctx)
	go clicks.Run(runCtx, time.Second)
	withRedis, err := measure(h)
	stop()
	if err != nil {
		return nil, err
	}
	return append(rows, bench.Row{
		Scenario: "viral click, Redis",
		Figure:   withRedis.String(),
		Baseline: "gin + one Redis INCR: " + incrResult.String(),
		Ratio:    withRedis.PerSecond() / incrResult.PerSecond(),
	}), nil
}
