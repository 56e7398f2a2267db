package kit

import (
	"crypto/rand"
	"testing"
)

// RandomCanary is a GitHub-shaped token that no test writes anywhere else: "ghp_" and 36 random
// characters, a new one at each call. Where Canary is the token a test stores, this is one whose
// every sighting in an output or a file can only come from the test that made it.
func RandomCanary(t testing.TB) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "ghp_" + string(b)
}
