//go:build !unix

package storage

import "errors"

// errNotDir is the error of a path through a file, on systems that report
// it as ENOTDIR; elsewhere such a path is not found.
var errNotDir = errors.New("not a directory")
