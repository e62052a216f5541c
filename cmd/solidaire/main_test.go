package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var listening = regexp.MustCompile(`écoute sur (http://\S+)`)

// start runs `solidaire serve` through Run on a free port and returns its
// base URL; the server is stopped, and must stop cleanly, at cleanup.
func start(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- Run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), getenv, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	base := ""
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		cancel()
		t.Fatalf("server did not start: %v", <-done)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("serve did not shut down")
		}
	})
	return base
}

func getJSON(t *testing.T, url string, status int, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d, want %d: %s", url, res.StatusCode, status, b)
	}
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServeDemo runs the product as `make run` does, on each engine, and
// checks the demo data set through the API.
func TestServeDemo(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "data", "solidaire.db")
			if engine == "postgres" {
				db = testenv.PostgresURL(t)
			}
			base := start(t, map[string]string{"DATABASE_URL": db, "SOLIDAIRE_DEMO": "1"})
			getJSON(t, base+"/healthz", 200, nil)
			getJSON(t, base+"/readyz", 200, nil)
			var merchants struct {
				Data []struct{ Slug, City, Category string } `json:"data"`
			}
			getJSON(t, base+"/api/v1/merchants?limit=100", 200, &merchants)
			cities, cats := map[string]bool{}, map[string]bool{}
			for _, m := range merchants.Data {
				cities[m.City], cats[m.Category] = true, true
			}
			if len(merchants.Data) < 30 || len(cities) < 3 || len(cats) < 6 {
				t.Fatalf("demo: %d merchants, %d cities, %d categories", len(merchants.Data), len(cities), len(cats))
			}
			var events struct {
				Data []struct{ Status string } `json:"data"`
			}
			getJSON(t, base+"/api/v1/events?limit=100", 200, &events)
			status := map[string]int{}
			for _, e := range events.Data {
				status[e.Status]++
			}
			if len(events.Data) < 6 || status["cancelled"] != 1 || status["postponed"] != 1 {
				t.Fatalf("demo events: %v", status)
			}
			for _, slug := range []string{"billetsolidaire", "achatlocal"} {
				getJSON(t, base+"/api/v1/campaigns/"+slug, 200, nil)
			}
			for _, slug := range []string{"boulangerie-du-quartier", "librairie-des-possibles", "theatre-du-faubourg"} {
				getJSON(t, base+"/api/v1/merchants/"+slug, 200, nil)
			}
		})
	}
}

// TestServeRestart shows nothing is lost on restart and the demo data set
// is not loaded twice.
func TestServeRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "solidaire.db")
	env := map[string]string{"DATABASE_URL": db, "SOLIDAIRE_DEMO": "1"}
	var first, second struct {
		Data []struct{ Slug string } `json:"data"`
	}
	t.Run("first", func(t *testing.T) {
		getJSON(t, start(t, env)+"/api/v1/merchants?limit=100", 200, &first)
	})
	t.Run("second", func(t *testing.T) {
		getJSON(t, start(t, env)+"/api/v1/merchants?limit=100", 200, &second)
	})
	if len(first.Data) == 0 || len(first.Data) != len(second.Data) {
		t.Fatalf("%d merchants, then %d after a restart", len(first.Data), len(second.Data))
	}
}

// TestCommands runs migrate and seed --demo as an operator would.
func TestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "solidaire.db")
	env := func(k string) string { return map[string]string{"DATABASE_URL": db}[k] }
	var out strings.Builder
	ctx := context.Background()
	if err := Run(ctx, []string{"migrate"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "migration(s) appliquée(s)") {
		t.Fatalf("migrate: %v, %q", err, out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"seed", "--demo"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "chargées") {
		t.Fatalf("seed: %v, %q", err, out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"seed", "--demo"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "déjà") {
		t.Fatalf("second seed: %v, %q", err, out.String())
	}
	if err := Run(ctx, []string{"seed"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("seed without --demo succeeded")
	}
	if err := Run(ctx, []string{"frobnicate"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command succeeded")
	}
	if err := Run(ctx, []string{"serve", "-addr", "256.0.0.1:http"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("serve on an impossible address succeeded")
	}
}

// TestSIGTERM builds the real binary, starts it and stops it with SIGTERM:
// it must shut down gracefully and exit 0.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "solidaire")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-database", filepath.Join(dir, "s.db"))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	base := ""
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		cmd.Process.Kill()
		t.Fatal("binary did not start")
	}
	getJSON(t, base+"/healthz", 200, nil)
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 20 s of SIGTERM")
	}
}

// TestClicksSurviveRestart: share-link clicks counted in process are rolled
// up into the database when the server stops, so a restart loses none.
func TestClicksSurviveRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "solidaire.db")
	env := map[string]string{"DATABASE_URL": db, "SOLIDAIRE_DEMO": "1"}
	login := func(base string) string {
		res, err := http.Post(base+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"email": "organisateur@demo.solidaire.local", "password": "solidaire-demo", "token": true}`))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("login: %v %v", err, res)
		}
		defer res.Body.Close()
		var me struct{ Token string }
		json.NewDecoder(res.Body).Decode(&me)
		return me.Token
	}
	var code, token string
	t.Run("first", func(t *testing.T) {
		base := start(t, env)
		token = login(base)
		req, _ := http.NewRequest("POST", base+"/api/v1/organiser/campaigns/billetsolidaire/links", strings.NewReader(`{"channel": "facebook"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("link: %v %v", err, res)
		}
		var link struct{ Code string }
		json.NewDecoder(res.Body).Decode(&link)
		res.Body.Close()
		code = link.Code
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for i := 0; i < 3; i++ {
			req, _ := http.NewRequest("GET", base+"/s/"+code, nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
			res, err := noFollow.Do(req)
			if err != nil || res.StatusCode != 302 {
				t.Fatalf("click: %v %v", err, res)
			}
			res.Body.Close()
		}
	})
	t.Run("second", func(t *testing.T) {
		base := start(t, env)
		req, _ := http.NewRequest("GET", base+"/api/v1/organiser/campaigns/billetsolidaire/stats", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("stats: %v %v", err, res)
		}
		defer res.Body.Close()
		var st struct {
			Totals struct{ Clicks int64 } `json:"totals"`
		}
		json.NewDecoder(res.Body).Decode(&st)
		if st.Totals.Clicks != 3 {
			t.Fatalf("%d clicks after a restart, want 3", st.Totals.Clicks)
		}
	})
}

// TestWalletPassesConfig: a half-configured phone wallet is an error at
// start, not a button that silently never appears.
func TestWalletPassesConfig(t *testing.T) {
	for name, c := range map[string]*config{
		"apple without files": {ApplePassTypeID: "pass.org.example", AppleTeamID: "ABCDE12345"},
		"apple missing file":  {ApplePassTypeID: "pass.org.example", ApplePassCert: "/nonexistent.pem"},
		"google without key":  {GoogleIssuer: "3388000000012345678"},
		"google missing file": {GoogleIssuer: "3388000000012345678", GoogleKey: "/nonexistent.json"},
	} {
		if _, _, err := walletPasses(c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if a, g, err := walletPasses(&config{}); a != nil || g != nil || err != nil {
		t.Fatalf("unconfigured: %v %v %v", a, g, err)
	}
}
