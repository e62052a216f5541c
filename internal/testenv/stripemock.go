package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// StripeMockURLEnv names a running stripe-mock (http://127.0.0.1:12111,
// say), which every test shares: it keeps no state, so tests cannot see
// each other's requests.
const StripeMockURLEnv = "SOLIDAIRE_TEST_STRIPE_URL"

// StartStripeMock starts Stripe's official API mock, stripe-mock, serving
// HTTP and HTTPS on two free ports of 127.0.0.1, with dir (made if needed)
// for its log. Its URL is the HTTP one. stripe-mock is looked for on PATH,
// then in `go env GOBIN` and `go env GOPATH`/bin, where `go install` puts
// it; the error wraps ErrNotInstalled when it is in none of them.
func StartStripeMock(dir string) (*Server, error) {
	program, err := findProgram("stripe-mock", goBinDirs()...)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("testenv: stripe-mock directory: %w", err)
	}
	newServer := func(port int) *Server {
		// Both addresses are given: with -http-addr alone stripe-mock also
		// serves HTTPS on its default port, 12112 on every interface, which
		// the next test process would then fail to take.
		httpsAddr := "127.0.0.1:0"
		if p, err := freePort(); err == nil && p != port {
			httpsAddr = "127.0.0.1:" + strconv.Itoa(p)
		}
		cmd := exec.Command(program,
			"-http-addr", "127.0.0.1:"+strconv.Itoa(port),
			"-https-addr", httpsAddr,
		)
		cmd.Dir = dir
		cmd.SysProcAttr = procAttr(nil)
		return &Server{
			Name:     "stripe-mock",
			URL:      fmt.Sprintf("http://127.0.0.1:%d", port),
			Dir:      dir,
			cmd:      cmd,
			stopWith: os.Kill, // it keeps nothing to save
			logPath:  filepath.Join(dir, "stripe-mock.log"),
		}
	}
	ready := func(s *Server) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			// stripe-mock binds HTTP, then HTTPS, and exits if either is
			// taken: it is ready once it has said it listens on both and
			// answers on ours.
			log, _ := os.ReadFile(s.logPath)
			if !bytes.Contains(log, []byte("Listening for HTTPS")) {
				return errors.New("not listening yet")
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/v1/balance", nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer sk_test_123")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET /v1/balance: %s", resp.Status)
			}
			return nil
		}
	}
	return startOnFreePort(newServer, ready)
}

// goBinDirs returns where `go install` puts programs: GOBIN, else the bin
// directory of each GOPATH entry.
func goBinDirs() []string {
	gobin, gopath := os.Getenv("GOBIN"), os.Getenv("GOPATH")
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) == 2 {
			gobin, gopath = lines[0], lines[1]
		}
	}
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		if p != "" {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	return dirs
}

// theStripeMock is resolved once per process: the shared server, else our
// own.
var theStripeMock struct {
	once sync.Once
	url  string
	err  error
}

// StripeMockURL returns the base URL of a stripe-mock for this test: the
// one named by SOLIDAIRE_TEST_STRIPE_URL, else this test process's own,
// started by the first test that asks and stopped by Main. stripe-mock
// accepts any key that looks like a test one (sk_test_…), keeps no state
// and sends back fixtures, with some request parameters echoed. A missing
// stripe-mock skips the test (fails it under CI), through Missing.
func StripeMockURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(StripeMockURLEnv); u != "" {
		return strings.TrimRight(u, "/")
	}
	theStripeMock.once.Do(func() {
		var srv *Server
		srv, theStripeMock.err = startPrivate("stripe-mock", StartStripeMock)
		if srv != nil {
			theStripeMock.url = srv.URL
		}
	})
	err := theStripeMock.err
	if errors.Is(err, ErrNotInstalled) {
		Missing(t, "stripe-mock: %v", err)
	}
	if err != nil {
		t.Fatalf("testenv: stripe-mock: %v (see the first test that asked)", err)
	}
	return theStripeMock.url
}
