//go:build unix

package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// serverUser is the account PostgreSQL runs as when we are root, since it
// refuses to run as root; nil means "as ourselves".
type serverUser struct {
	name     string
	uid, gid int
}

// postgresUser returns the account to run PostgreSQL as: nil unless we are
// root, then the postgres user the Debian package creates, else nobody.
func postgresUser() (*serverUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return &serverUser{name: name, uid: uid, gid: gid}, nil
	}
	return nil, errors.New("testenv: running as root and neither a postgres nor a nobody user exists for PostgreSQL to run as")
}

// give makes path belong to u, so that a server running as u may write there.
func (u *serverUser) give(path string) error {
	if u == nil {
		return nil
	}
	if err := os.Chown(path, u.uid, u.gid); err != nil {
		return fmt.Errorf("testenv: give %s to %s: %w", path, u.name, err)
	}
	return nil
}

// procAttr runs a server as u (nil: as ourselves) in its own process group,
// so that the terminal's ^C reaches the tests, which stop the server in
// order, and not the server first.
func procAttr(u *serverUser) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if u != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid)}
	}
	dieWithParent(attr)
	return attr
}

// processAlive reports whether a process with this id exists; one we may
// not signal exists too.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// The signals that stop a server at once: SIGQUIT is PostgreSQL's
// "immediate" shutdown, without a checkpoint; Redis takes SIGTERM (SIGQUIT
// would dump core) and, with persistence off, saves nothing.
var (
	postgresStop os.Signal = syscall.SIGQUIT
	redisStop    os.Signal = syscall.SIGTERM
)
