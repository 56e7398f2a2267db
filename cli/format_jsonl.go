package cli

import (
	"encoding/json"
	"io"
	"time"

	"gitopscfg/providers"
)

// The jsonl format: one JSON object per line, for log pipelines. With --deep, each round-trip
// stage is written as it finishes ({"event":"stage",…}); then one {"event":"result",…} per
// provider, with the fields of `check --json`'s RESULT; with --devtron, one {"event":"devtron",…}
// with the fields of `check --json`'s "devtron" key.

type jsonlStage struct {
	Event    string       `json:"event"`
	At       time.Time    `json:"at"`
	Provider providers.ID `json:"provider"`
	providers.Check
}

type jsonlResult struct {
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	providers.Result
}

// jsonlPlatform is the line of an instance of another kind (check --platforms): an entry of
// check --json's "platforms".
type jsonlPlatform struct {
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	*platformCheckJSON
}

// jsonlDevtron is check --devtron's line, after the results: check --json's "devtron" key.
type jsonlDevtron struct {
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	*devtronCheckJSON
}

func init() {
	registerCheckFormat(checkFormat{
		Name:    "jsonl",
		Summary: "one JSON object per line: each round-trip stage as it finishes (--deep), then each result",
		Stage: func(w io.Writer, id providers.ID, c providers.Check, at time.Time) error {
			return json.NewEncoder(w).Encode(jsonlStage{Event: "stage", At: at.UTC(), Provider: id, Check: displayCheck(c)})
		},
		Write: func(w io.Writer, rep *checkReport) error {
			enc := json.NewEncoder(w)
			for _, r := range rep.Results {
				if err := enc.Encode(jsonlResult{Event: "result", At: rep.At.UTC(), Result: displayResult(r)}); err != nil {
					return err
				}
			}
			for _, dc := range rep.Devtron {
				if err := enc.Encode(jsonlDevtron{Event: "devtron", At: rep.At.UTC(), devtronCheckJSON: dc.json()}); err != nil {
					return err
				}
			}
			for _, pc := range rep.Platforms {
				if err := enc.Encode(jsonlPlatform{Event: "platform", At: rep.At.UTC(), platformCheckJSON: pc.platformJSON()}); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
