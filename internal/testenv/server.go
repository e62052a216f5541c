package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ErrNotInstalled is wrapped by the errors of StartPostgres and StartRedis
// when the server's programs are not on this machine: the caller skips (or,
// under CI, fails) rather than reporting a broken server.
var ErrNotInstalled = errors.New("not installed")

// Server is a database server started for tests: a private PostgreSQL or
// redis-server listening on a free loopback port.
type Server struct {
	// Name says which server this is ("postgres", "redis") in messages.
	Name string
	// URL reaches the server: for PostgreSQL its maintenance database, where
	// tests may CREATE DATABASE; for Redis its logical database 0.
	URL string
	// Dir holds the server's files and log. Stop leaves it: the caller made
	// it and removes it.
	Dir string

	cmd      *exec.Cmd
	stopWith os.Signal     // asks the server to exit at once, data be damned
	logPath  string        // the server's stdout and stderr, for error messages
	exited   chan struct{} // closed once the process has been waited for
	stopOnce sync.Once
	stopErr  error
}

// startTimeout bounds how long a server may take to accept connections; a
// first PostgreSQL start on a slow CI machine takes a few seconds.
const startTimeout = time.Minute

// start runs the server's process and waits until ready says it serves.
func (s *Server) start(ready func(ctx context.Context) error) error {
	log, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("testenv: %s log: %w", s.Name, err)
	}
	defer log.Close()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.exited = make(chan struct{})

	started := make(chan error, 1)
	go func() {
		// The parent-death signal that kills the server if this process
		// dies is sent when the thread that started it exits, not the
		// process: hold this thread until the server is gone, or the
		// runtime could retire it and take the server along.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("testenv: start %s: %w", s.Name, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		probe, cancelProbe := context.WithTimeout(ctx, 2*time.Second)
		err = ready(probe)
		cancelProbe()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("testenv: %s exited at start: %s", s.Name, s.logTail())
		case <-ctx.Done():
			s.Stop()
			return fmt.Errorf("testenv: %s not ready after %v (%v): %s", s.Name, startTimeout, err, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// startOnFreePort starts a server built by newServer for a free port,
// trying other ports when another process took the first one meanwhile.
func startOnFreePort(newServer func(port int) *Server, ready func(s *Server) func(ctx context.Context) error) (*Server, error) {
	var err error
	for range 3 {
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		s := newServer(port)
		if err = s.start(ready(s)); err == nil {
			return s, nil
		}
		if !strings.Contains(err.Error(), "already in use") {
			return nil, err
		}
	}
	return nil, err
}

// Stop stops the server at once, without saving anything, and waits for it
// to exit. It may be called more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(s.stopWith)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = fmt.Errorf("%s did not stop within 10s and was killed", s.Name)
		}
	})
	return s.stopErr
}

// logTail returns the end of the server's log, which says why it failed.
func (s *Server) logTail() string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return "no log: " + err.Error()
	}
	defer f.Close()
	const tail = 2000
	if info, err := f.Stat(); err == nil && info.Size() > tail {
		_, _ = f.Seek(-tail, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}

// findProgram looks for a server program on PATH, then in the directories
// where distributions install it without putting it on PATH.
func findProgram(name string, dirs ...string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	for _, pattern := range dirs {
		matches, _ := filepath.Glob(filepath.Join(pattern, name))
		// Glob sorts: the last is the newest version of /usr/lib/postgresql/*
		// as long as versions have two digits, which they have since 10.
		for i := len(matches) - 1; i >= 0; i-- {
			if info, err := os.Stat(matches[i]); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
				return matches[i], nil
			}
		}
	}
	return "", fmt.Errorf("testenv: %s: %w (scripts/test-deps.sh installs it)", name, ErrNotInstalled)
}
