// Command testservices starts the servers the tests need once for a whole
// test run, and runs a command with their addresses in its environment:
//
//	go run ./internal/testenv/cmd/testservices -- go test ./...
//
// Without it every test process starts servers of its own; with it they
// share one PostgreSQL, where each test still gets its own database, and one
// redis-server, where each test still gets its own logical database, and
// one S3 server (VersityGW), where each test makes buckets of its own (see
// package testenv). A server whose variable is already set is not started:
// the command uses the one named. A server whose programs are missing is
// not started either, and the tests that need it skip, or fail under CI.
// The servers are stopped when the command ends or this program is
// interrupted, and it exits with the command's exit code.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/solidaire-app/solidaire/internal/testenv"
)

// service is a server the tests may need and the variable through which
// package testenv finds it.
type service struct {
	name  string
	env   string
	start func(dir string) (*testenv.Server, error)
}

// services are started in this order and stopped in the reverse. An SMTP
// sink belongs here when the mail tests need one: a start function in
// testenv and a variable its helpers read.
var services = []service{
	{"postgres", testenv.PostgresURLEnv, testenv.StartPostgres},
	{"redis", testenv.RedisURLEnv, testenv.StartRedis},
	{"stripe-mock", testenv.StripeMockURLEnv, testenv.StartStripeMock},
	{"versitygw", testenv.S3URLEnv, testenv.StartVersityGW},
}

func main() {
	os.Exit(run())
}

// run returns the exit code: the command's, or 2 for our own usage and
// setup errors.
func run() int {
	verbose := flag.Bool("v", false, "print the servers' URLs")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: testservices [-v] -- command [argument ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		return 2
	}

	// Catch the signals before starting anything, so that none can end us
	// between starting a server and being able to stop it.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)

	dir, err := testenv.ServerDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testservices:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	var started []*testenv.Server
	defer func() {
		for i := len(started) - 1; i >= 0; i-- {
			if err := started[i].Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "testservices:", err)
			}
		}
	}()

	env := os.Environ()
	for _, s := range services {
		if os.Getenv(s.env) != "" {
			continue
		}
		srv, err := s.start(filepath.Join(dir, s.name))
		if errors.Is(err, testenv.ErrNotInstalled) {
			fmt.Fprintf(os.Stderr, "testservices: no %s, the tests that need it skip (or fail under CI): %v\n", s.name, err)
			continue
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "testservices:", err)
			return 2
		}
		started = append(started, srv)
		env = append(env, s.env+"="+srv.URL)
		if *verbose {
			fmt.Fprintf(os.Stderr, "testservices: %s=%s\n", s.env, srv.URL)
		}
		select {
		case sig := <-signals:
			fmt.Fprintf(os.Stderr, "testservices: %v while starting the servers\n", sig)
			return 2
		default:
		}
	}

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testservices:", err)
		return 2
	}
	// A ^C in the terminal reaches the command directly, being in our
	// process group; passing it on as well covers signals sent to us alone
	// (CI cancelling a job), and a second one does no harm to go test.
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()
	err = cmd.Wait()
	signal.Stop(signals)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	default: // killed by a signal
		fmt.Fprintln(os.Stderr, "testservices:", err)
		return 1
	}
}
