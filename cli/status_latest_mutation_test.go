package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestStatusShowsTheLatestOfCheckAndRoundTrip: status's last check (the JSON's last_check, the
// table's cell) is the later of the last check and the last round trip, as the freshness gate
// sees it: a round trip that failed after a passing check shows as failed, a check that passed
// after a failed round trip as ok.
func TestStatusShowsTheLatestOfCheckAndRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	for _, c := range freshnessCases(now) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := newRunFixture(t)
			x.setChecked(c.check, c.deep)
			latest := c.check
			if c.deep != nil && (latest == nil || c.deep.At.After(latest.At)) {
				latest = c.deep
			}
			wantDeep := latest == c.deep

			if err := statusRun(context.Background(), &statusOptions{runDeps: x.deps("", false), JSON: true}); err != nil {
				t.Fatalf("status --json: %v\n%s", err, x.err.String())
			}
			var doc struct {
				Providers []struct {
					Credential *string        `json:"credential"`
					LastCheck  *lastCheckJSON `json:"last_check"`
				} `json:"providers"`
			}
			if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil {
				t.Fatalf("status --json: %v\n%s", err, x.out.String())
			}
			var got *lastCheckJSON
			for _, p := range doc.Providers {
				if p.Credential != nil && *p.Credential == "gitlab" {
					got = p.LastCheck
				}
			}
			if got == nil || got.OK != latest.OK || got.Deep != wantDeep || !got.At.Equal(latest.At) {
				t.Fatalf("status --json: last_check %+v; want ok %v, deep %v at %s", got, latest.OK, wantDeep, latest.At)
			}

			cell := describeLastCheck(x.data().Credentials["gitlab"], now)
			wantWord := "failed"
			if latest.OK {
				wantWord = "ok"
			}
			if !strings.HasPrefix(cell, wantWord) || strings.Contains(cell, "(round trip)") != wantDeep {
				t.Fatalf("status: last check %q; want %q, round trip %v", cell, wantWord, wantDeep)
			}
		})
	}
}
