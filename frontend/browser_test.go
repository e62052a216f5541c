package frontend_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// chromiumPath is Debian's Chromium, which scripts/test-deps.sh installs;
// SOLIDAIRE_CHROMIUM names another. Playwright's own browser downloads are
// not used: they need a host the test machines cannot reach.
const chromiumPath = "/usr/bin/chromium"

// jsBudget is the largest the script bundle may grow: the islands enhance
// pages that work without them, and a phone on a slow network pays for
// every byte.
const jsBudget = 15_000

// e2eOwnSite lists the browser scenarios that a Go test runs on a site of
// its own, to check afterwards what they did to the database (see
// TestWalletBrowser): TestBrowser leaves them out.
var e2eOwnSite = map[string]bool{"wallet.test.mjs": true}

// TestBrowser runs the browser tests (frontend/e2e, node's test runner
// driving Chromium through playwright-core) against a real server: the API
// and the pages over a SQLite database loaded with the demo data set. It
// installs the npm packages when they are missing, type-checks and bundles
// the islands, and serves that fresh bundle.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	if b == nil {
		return
	}
	scenarios, err := filepath.Glob(filepath.Join("e2e", "*.test.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// SOLIDAIRE_E2E_ONLY=a.test.mjs,b.test.mjs runs only those (while
	// developing); make test runs them all.
	only := map[string]bool{}
	for _, f := range strings.Split(os.Getenv("SOLIDAIRE_E2E_ONLY"), ",") {
		if f != "" {
			only[f] = true
		}
	}
	var files []string
	for _, f := range scenarios {
		if !e2eOwnSite[filepath.Base(f)] && (len(only) == 0 || only[filepath.Base(f)]) {
			files = append(files, f)
		}
	}
	b.run(t, startSite(t, os.DirFS("dist"), false), files...)
}

// browser is what the browser tests need: node, Chromium, and a context
// that bounds them.
type browser struct {
	ctx      context.Context
	node     string
	chromium string
}

// newBrowser finds node, npm and Chromium (nil, the test skipped or
// failed, when one is missing), installs the npm packages when they are
// missing, and type-checks and bundles the islands into dist/.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("browser tests are slow: skipped with -short, except under CI")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed (apt-get install nodejs npm)")
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		testenv.Missing(t, "npm is not installed (apt-get install npm)")
		return nil
	}
	chromium := os.Getenv("SOLIDAIRE_CHROMIUM")
	if chromium == "" {
		chromium = chromiumPath
	}
	if _, err := os.Stat(chromium); err != nil {
		testenv.Missing(t, "chromium is not installed (apt-get install chromium): %v", err)
		return nil
	}

	// The test's cache key: go test reruns this test when a file it reads
	// changes, and it reads nothing but through node unless told to.
	readInputs(t, "e2e", "src", "package.json", "package-lock.json", "tsconfig.json")

	// Every scenario runs one after the other in one node process: about
	// eight minutes in all by now, so the bound leaves room to grow.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)
	if _, err := os.Stat(filepath.Join("node_modules", ".package-lock.json")); err != nil {
		run(t, ctx, nil, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	}
	run(t, ctx, nil, npm, "run", "--silent", "typecheck")
	run(t, ctx, nil, npm, "run", "--silent", "build")
	bundle, err := os.Stat(filepath.Join("dist", "app.js"))
	if err != nil {
		t.Fatalf("the build wrote no bundle: %v", err)
	}
	if bundle.Size() > jsBudget {
		t.Errorf("dist/app.js weighs %d bytes; the budget is %d", bundle.Size(), jsBudget)
	}
	return &browser{ctx: ctx, node: node, chromium: chromium}
}

// run runs the scenarios (files under e2e/) against the site at base; a
// failure ends the test with node's report.
func (b *browser) run(t *testing.T, base string, files ...string) {
	t.Helper()
	results, err := filepath.Abs("test-results")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, files...)
	out := run(t, b.ctx, []string{
		"SOLIDAIRE_E2E_BASE_URL=" + base,
		"SOLIDAIRE_CHROMIUM=" + b.chromium,
		"SOLIDAIRE_E2E_RESULTS=" + results,
	}, b.node, args...)
	t.Logf("node --test %s:\n%s", strings.Join(files, " "), out)
	t.Logf("screenshots in %s", results)
}

// run runs a command in the frontend directory and returns its output; a
// failure ends the test with that output.
func run(t *testing.T, ctx context.Context, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// readInputs reads every file under the given paths, so that go test's
// cache, which records the files a test opens, knows them.
func readInputs(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			_, err = os.ReadFile(path)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
