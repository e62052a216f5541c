package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/cache"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// Compile-time checks that the concrete adapters satisfy the interfaces
// they are used as.
var (
	_ api.Catalogue = (*store.DB)(nil)
	_ api.Pinger    = (*store.DB)(nil)
	_ api.Pinger    = (*cache.Redis)(nil)
	_ demo.Store    = (*store.DB)(nil)
)

// serve runs the HTTP server until ctx is cancelled, then shuts it down
// gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parse("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := cfg.logger(stderr)
	slog.SetDefault(log)

	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Demo {
		if err := seedDemo(ctx, db, log); err != nil {
			return err
		}
	}

	ready := map[string]api.Pinger{"database": db}
	if cfg.RedisURL != "" {
		rc, err := cache.NewRedis(cfg.RedisURL, "solidaire:")
		if err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		defer rc.Close()
		ready["redis"] = rc
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handler := api.New(api.Config{
		Catalogue: db,
		Ready:     ready,
		Logger:    log,
		Registry:  reg,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	base := cfg.BaseURL
	if getenv("SOLIDAIRE_BASE_URL") == "" && !flagSet(args, "base-url") {
		base = "http://" + addr
	}
	fmt.Fprintf(stdout, "Solidaire écoute sur %s (base %s, %s)\n", "http://"+addr, base, db.Dialect)
	log.Info("listening", "addr", addr, "database", string(db.Dialect), "redis", cfg.RedisURL != "", "demo", cfg.Demo)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDB connects to the configured database and applies its migrations.
func openDB(ctx context.Context, cfg *config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("migrations applied", "count", n, "database", string(db.Dialect))
	}
	return db, nil
}

// seedDemo loads the demo data set when the database is empty.
func seedDemo(ctx context.Context, db *store.DB, log *slog.Logger) error {
	empty, err := db.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	if err := demo.Seed(ctx, db, time.Now()); err != nil {
		if market.ErrorCode(err) == market.EConflict {
			// Another instance, started at the same moment, is loading it.
			log.Info("demo data set loaded by another instance")
			return nil
		}
		return fmt.Errorf("demo data: %w", err)
	}
	log.Info("demo data set loaded")
	return nil
}

// migrate applies the migrations and exits.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parse("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d migration(s) appliquée(s) (%s)\n", n, db.Dialect)
	return nil
}

// seed loads the demo data set into an empty database.
func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parse("seed", args, getenv, stderr)
	if err != nil {
		return err
	}
	if !cfg.Demo {
		fmt.Fprintln(stderr, "seed: only --demo is available")
		return errUsage
	}
	log := cfg.logger(stderr)
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "La base contient déjà des commerces : rien n'a été chargé.")
		return nil
	}
	if err := demo.Seed(ctx, db, time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Données de démonstration chargées.")
	return nil
}

// flagSet reports whether a flag was given on the command line.
func flagSet(args []string, name string) bool {
	for _, a := range args {
		if a == "-"+name || a == "--"+name || len(a) > len(name)+2 && (a[:len(name)+2] == "-"+name+"=" || a[:len(name)+3] == "--"+name+"=") {
			return true
		}
	}
	return false
}
