package config

import (
	"os"
	"os/user"
)

// LocalUser names the person at this machine for the audit trail, e.g. "alice (local)".
func LocalUser() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return name + " (local)"
}
