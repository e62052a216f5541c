//go:build !unix

package testenv

import (
	"os"
	"syscall"
)

// serverUser is the account a server runs as; outside Unix there is no root
// for PostgreSQL to refuse, so it is always nil.
type serverUser struct{}

// postgresUser returns nil: PostgreSQL runs as ourselves.
func postgresUser() (*serverUser, error) { return nil, nil }

// give does nothing outside Unix.
func (u *serverUser) give(string) error { return nil }

// procAttr returns no attributes outside Unix.
func procAttr(*serverUser) *syscall.SysProcAttr { return nil }

// processAlive is true so that no directory in use is ever removed.
func processAlive(int) bool { return true }

// The signals that stop a server: the only one other systems can send.
var (
	postgresStop = os.Kill
	redisStop    = os.Kill
)
