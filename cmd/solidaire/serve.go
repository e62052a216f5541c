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

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/market"
	"github.com/solidaire-app/solidaire/store"
)

// serve runs the HTTP server and its background work until ctx is
// cancelled, then shuts down gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parse("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := cfg.logger(stderr)
	slog.SetDefault(log)

	// Listen first: with port 0 the base URL is only known now.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	addr := ln.Addr().String()
	base := cfg.BaseURL
	if getenv("SOLIDAIRE_BASE_URL") == "" && !flagSet(args, "base-url") {
		base = "http://" + addr
	}

	a, err := build(ctx, cfg, base, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		if err := seedDemo(ctx, a.db, log); err != nil {
			return err
		}
	}
	bg, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	a.background(bg, log)

	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "Solidaire écoute sur %s (base %s, %s)\n", "http://"+addr, base, a.db.Dialect)
	log.Info("listening", "addr", addr, "base", base, "database", string(a.db.Dialect), "redis", cfg.RedisURL != "", "demo", cfg.Demo)

	// Requests that net/http refuses before any handler (a bad
	// percent-escape in the path) are answered in the API's shapes too.
	served := net.Listener(ln)
	if h, ok := a.handler.(*api.Server); ok {
		served = h.Listener(ln)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(served) }()
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
	// The requests are answered: now stop the background work, which rolls
	// the last clicks up into the database, and wait for it.
	stopBackground()
	a.running.Wait()
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

// reconcile runs one reconciliation pass: orders left pending are checked
// with the payment provider.
func reconcile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return once(ctx, "reconcile", args, getenv, stdout, stderr, func(a *app) (string, error) {
		n, err := a.checkout.Reconcile(ctx, 10*time.Minute)
		return fmt.Sprintf("%d commande(s) rapprochée(s).", n), err
	})
}

// refunds pays every refund Solidaire still owes, those waiting for their
// retry time too (after a provider outage); a refund whose outcome is
// unknown is looked up at Stripe before it is asked again, so none is paid
// twice, even with the server running.
func refunds(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return once(ctx, "refunds", args, getenv, stdout, stderr, func(a *app) (string, error) {
		n, err := a.refunds.PayOwed(ctx)
		return fmt.Sprintf("%d remboursement(s) versé(s).", n), err
	})
}

// once runs one piece of the background work from the command line, on
// the app as serve wires it, and prints what it did.
func once(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer,
	fn func(*app) (string, error)) error {
	cfg, err := parse(name, args, getenv, stderr)
	if err != nil {
		return err
	}
	a, err := build(ctx, cfg, cfg.BaseURL, cfg.logger(stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	done, err := fn(a)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, done)
	return nil
}

// outbox lists the newest mails of the outbox: what an admin reads when no
// SMTP server is configured.
func outbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parse("outbox", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	mails, err := db.Mails(ctx, "", 50)
	if err != nil {
		return err
	}
	if len(mails) == 0 {
		fmt.Fprintln(stdout, "Aucun courriel.")
	}
	for _, m := range mails {
		fmt.Fprintf(stdout, "── %s  %s  à %s  (%s, %d tentative(s))\n%s\n%s\n\n", m.CreatedAt.Format(time.RFC3339), m.Status, m.To,
			m.ID, m.Attempts, m.Subject, m.Text)
	}
	return nil
}
