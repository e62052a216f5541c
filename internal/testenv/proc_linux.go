package testenv

import "syscall"

// dieWithParent has the kernel kill the server when the process that
// started it dies, even by SIGKILL or a test -timeout panic that skips Main.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
