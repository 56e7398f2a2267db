package ui

import (
	"strings"
	"testing"

	"charm.land/huh/v2"
)

// Every masked input shows the same character: the form's token field (huh), the passphrase and
// the rotation's new token.
func TestMaskedInputsShowOneCharacter(t *testing.T) {
	t.Parallel()
	tok := "ghp_CANARYmask0000000000"
	in := huh.NewInput().EchoMode(huh.EchoModePassword).Value(&tok)
	_ = in.Focus()
	if view := in.View(); !strings.Contains(view, strings.Repeat(string(maskChar), 8)) || strings.Contains(view, "CANARY") {
		t.Fatalf("huh's masked field does not show %q:\n%s", maskChar, view)
	}
	u := newUnlock(newCommon(Options{}, deps{}), "")
	if u.input.EchoCharacter != maskChar {
		t.Errorf("the passphrase shows %q", u.input.EchoCharacter)
	}
}
