// Command solidaire-bench measures Solidaire's hot paths and prints each
// figure next to a baseline measured in the same run (a bare handler, a raw
// SQL statement), as a ratio. It asserts nothing: tests assert behaviour,
// this reports figures.
//
// PostgreSQL and Redis scenarios need SOLIDAIRE_TEST_POSTGRES_URL and
// SOLIDAIRE_TEST_REDIS_URL, which `make bench` provides by running it under
// internal/testenv/cmd/testservices.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/solidaire-app/solidaire/api"
	"github.com/solidaire-app/solidaire/demo"
	"github.com/solidaire-app/solidaire/internal/bench"
	"github.com/solidaire-app/solidaire/store"
)

var (
	duration = flag.Duration("d", 5*time.Second, "measuring time per figure")
	conns    = flag.Int("c", 64, "concurrent connections")
	only     = flag.String("only", "", "run only the scenarios whose name contains this (several, comma-separated: any of them)")
	profile  = flag.String("cpuprofile", "", "write CPU profiles of the write scenarios' HTTP phases, the uncached listing and the voucher QR into this directory, one file per scenario and engine")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	gin.SetMode(gin.ReleaseMode)
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	var rows []bench.Row
	if *scale {
		peakReset = bench.ResetPeak()
		rows = scaleRun(ctx)
	}
	for _, sc := range scenarios {
		if *scale {
			break
		}
		if !selected(sc.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "… %s\n", sc.name)
		peakReset = bench.ResetPeak()
		r, err := sc.run(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", sc.name, err)
			rows = append(rows, bench.Row{Scenario: sc.name, Figure: "not run: " + err.Error()})
			continue
		}
		peak := bench.PeakRSS()
		for i := range r {
			if r[i].PeakRSS == 0 {
				r[i].PeakRSS = peak
			}
		}
		rows = append(rows, r...)
	}
	fmt.Printf("\nSolidaire benchmarks (%d connections, %s per figure, %s)\n", *conns, *duration, machine())
	if peakReset {
		fmt.Printf("peak RSS: the process's VmHWM, reset (clear_refs 5) before each scenario and each engine's run, after its database is seeded\n\n")
	} else {
		fmt.Printf("peak RSS: the process's VmHWM since it started (this kernel does not reset it): a running maximum, not per scenario\n\n")
	}
	bench.Print(os.Stdout, rows)
}

// selected reports whether -only selects the name: empty, or one of its
// comma-separated parts is in it.
func selected(name string) bool {
	if *only == "" {
		return true
	}
	for _, p := range strings.Split(*only, ",") {
		if p != "" && strings.Contains(name, p) {
			return true
		}
	}
	return false
}

// peakReset records whether the kernel resets the peak resident set.
var peakReset bool

// serverPhase marks the start of a scenario's HTTP phase: it resets the
// peak resident set and starts a CPU profile named after it (with
// -cpuprofile). The function it returns ends the phase: it stops the
// profile and returns the peak resident set since the start.
func serverPhase(name string) func() int64 {
	bench.ResetPeak()
	stop := startProfile(name)
	return func() int64 {
		stop()
		return bench.PeakRSS()
	}
}

// startProfile starts a CPU profile into the -cpuprofile directory, named
// after what is measured, and returns the function that stops it; without
// the flag it does nothing.
func startProfile(name string) func() {
	if *profile == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(*profile, strings.NewReplacer(" ", "-", "+", "-").Replace(name)+".pprof"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

type scenario struct {
	name string
	run  func(ctx context.Context) ([]bench.Row, error)
}

var scenarios = []scenario{
	{"listing", listing},
	{"webhook", webhookStorm},
	{"qr", qrServing},
	{"redeem", redeemRace},
	{"scan", scanLatency},
	{"click", viralClick},
	{"onsale", onSaleSpike},
	{"fundrace", fundRace},
	{"settlement", settlement},
	{"wallet", walletListing},
	{"campaign-wall", campaignWall},
	{"photo", photoUpload},
}

// listing measures GET /api/v1/merchants on each engine against a bare gin
// handler returning the same bytes.
func listing(ctx context.Context) ([]bench.Row, error) {
	var rows []bench.Row
	for _, engine := range []string{"sqlite", "postgres"} {
		db, cleanup, err := openDB(ctx, engine)
		if err != nil {
			rows = append(rows, bench.Row{Scenario: "listing " + engine, Figure: "not run: " + err.Error()})
			continue
		}
		base, stop, err := serve(api.New(api.Config{Catalogue: db, Logger: accessLogger()}))
		if err != nil {
			cleanup()
			return nil, err
		}
		// The same server without its one-second catalogue cache: what every
		// miss costs.
		uncached, stopUncached, err := serve(api.New(api.Config{Catalogue: db, Logger: accessLogger(), CatalogueTTL: -1}))
		if err != nil {
			cleanup()
			return nil, err
		}
		path := "/api/v1/merchants"
		body, err := get(base + path)
		if err != nil {
			stop()
			cleanup()
			return nil, err
		}
		bare := gin.New()
		bare.GET(path, func(c *gin.Context) { c.Data(200, "application/json; charset=utf-8", body) })
		bareBase, stopBare, err := serve(bare)
		if err != nil {
			return nil, err
		}
		baseline := load(ctx, bareBase+path)
		stopBare()
		figure := load(ctx, base+path)
		stop()
		stopProfile := startProfile("listing " + engine + " uncached")
		miss := load(ctx, uncached+path)
		stopProfile()
		stopUncached()
		cleanup()
		rows = append(rows, bench.Row{
			Scenario: fmt.Sprintf("listing %s (%d B)", engine, len(body)),
			Figure:   figure.String(),
			Baseline: "bare gin: " + baseline.String(),
			Ratio:    figure.PerSecond() / baseline.PerSecond(),
		}, bench.Row{
			Scenario: fmt.Sprintf("listing %s, no 1 s cache", engine),
			Figure:   miss.String(),
			Baseline: "bare gin, as above",
			Ratio:    miss.PerSecond() / baseline.PerSecond(),
		})
	}
	return rows, nil
}

func load(ctx context.Context, u string) bench.Result {
	return bench.Load(ctx, *conns, *duration, func() *http.Request {
		r, _ := http.NewRequest("GET", u, nil)
		return r
	}, func(s int) bool { return s == 200 })
}

// openDB returns a migrated database of the engine loaded with the demo data
// set, and a function that removes it.
func openDB(ctx context.Context, engine string) (*store.DB, func(), error) {
	var dsn string
	cleanup := func() {}
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "solidaire-bench-")
		if err != nil {
			return nil, nil, err
		}
		dsn, cleanup = filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }
	case "postgres":
		server := os.Getenv("SOLIDAIRE_TEST_POSTGRES_URL")
		if server == "" {
			return nil, nil, fmt.Errorf("SOLIDAIRE_TEST_POSTGRES_URL is not set (run through make bench)")
		}
		var err error
		dsn, cleanup, err = createDatabase(ctx, server)
		if err != nil {
			return nil, nil, err
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		cleanup()
		return nil, nil, err
	}
	if err := demo.Seed(ctx, db, time.Now()); err != nil {
		db.Close()
		cleanup()
		return nil, nil, err
	}
	return db, func() { db.Close(); cleanup() }, nil
}

// createDatabase makes a fresh database on a PostgreSQL server and returns
// its URL and a function that drops it.
func createDatabase(ctx context.Context, server string) (string, func(), error) {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(server)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}

// serve runs h on a loopback port and returns its base URL and a stop func.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

func get(u string) ([]byte, error) {
	res, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return io.ReadAll(res.Body)
}

// accessLogger formats access logs as production does (text, info level)
// but discards them, so the figure includes the logging cost without a
// terminal's.
func accessLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	n := strings.Count(string(b), "processor\t:")
	return fmt.Sprintf("%d CPUs, load generator in the same process", n)
}

// quiet is a logger for the services under load: their per-event info
// lines are not what is measured.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// eachEngine runs one scenario on a fresh demo database of each engine; an
// engine that cannot be had gives a "not run" row, not a failure.
func eachEngine(ctx context.Context, name string, fn func(ctx context.Context, db *store.DB, engine string) (bench.Row, error)) ([]bench.Row, error) {
	var rows []bench.Row
	for _, engine := range []string{"sqlite", "postgres"} {
		db, cleanup, err := openDB(ctx, engine)
		if err != nil {
			rows = append(rows, bench.Row{Scenario: name + " " + engine, Figure: "not run: " + err.Error()})
			continue
		}
		bench.ResetPeak()
		row, err := fn(ctx, db, engine)
		if row.PeakRSS == 0 {
			row.PeakRSS = bench.PeakRSS()
		}
		cleanup()
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}
