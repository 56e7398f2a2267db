package cli

import "io"

func init() {
	registerCheckFormat(checkFormat{
		Name:    "json",
		Summary: `one JSON document {"results":[...]} (the same as --json)`,
		Write: func(w io.Writer, rep *checkReport) error {
			if len(rep.instances()) == 0 {
				return writeResultsJSON(w, rep.Results)
			}
			return writeResultsWithDevtronJSON(w, rep)
		},
		Unusable: func(w io.Writer, _ string, err error) error {
			_ = writeResultsJSON(w, nil)
			return err
		},
	})
}
