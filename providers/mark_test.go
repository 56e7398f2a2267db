package providers

import "testing"

func TestStatusMarksAndWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s          Status
		mark, word string
	}{
		{Pass, "✓", "pass"}, {Fail, "✗", "FAIL"}, {Warn, "!", "warning"}, {Skip, "–", "skipped"}, {Running, "?", "running"},
	} {
		if got := c.s.Mark(); got != c.mark {
			t.Errorf("%s.Mark() = %q, want %q", c.s, got, c.mark)
		}
		if got := c.s.Word(); got != c.word {
			t.Errorf("%s.Word() = %q, want %q", c.s, got, c.word)
		}
	}
}
