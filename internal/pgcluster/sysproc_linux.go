package pgcluster

import "syscall"

// sysProcAttr runs postgres as cred and has the kernel send it SIGTERM
// (postgres's "smart" shutdown) if this process dies without stopping it.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGTERM, Setpgid: true}
}
