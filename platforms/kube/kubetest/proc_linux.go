package kubetest

import "syscall"

// procAttr makes the kernel kill etcd and the API server when the test binary dies without
// stopping them (a panic, a timeout).
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
