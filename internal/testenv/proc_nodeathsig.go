//go:build unix && !linux

package testenv

import "syscall"

// dieWithParent does nothing: only Linux can kill a child when its parent
// dies, so elsewhere a killed test process leaves its servers running until
// they are stopped by hand.
func dieWithParent(*syscall.SysProcAttr) {}
