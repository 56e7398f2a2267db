package providers

// statusText is how each status is shown: its one-character mark on screens and in reports, its
// word in the plain-prompt mode (read out by screen readers).
var statusText = map[Status]struct{ mark, word string }{
	Pass: {"✓", "pass"},
	Fail: {"✗", "FAIL"},
	Warn: {"!", "warning"},
	Skip: {"–", "skipped"},
}

// Mark is the status's one-character mark: ✓ pass, ✗ fail, ! warn, – skip ("?" for any other).
func (s Status) Mark() string {
	if t, ok := statusText[s]; ok {
		return t.mark
	}
	return "?"
}

// Word is the status in a word, for the plain prompts: pass, FAIL, warning, skipped (the status
// itself for any other).
func (s Status) Word() string {
	if t, ok := statusText[s]; ok {
		return t.word
	}
	return string(s)
}
