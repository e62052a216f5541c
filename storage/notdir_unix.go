//go:build unix

package storage

import "syscall"

// errNotDir is the error of a path through a file: "a/b/c" when "a/b" is a
// file, which names no stored file either.
var errNotDir error = syscall.ENOTDIR
