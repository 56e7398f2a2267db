package cli

import "io"

func init() {
	registerCheckFormat(checkFormat{
		Name:          "text",
		Summary:       "for a person (the default); with --deep on a terminal, stages are shown as they run",
		ShowsProgress: true,
		Write: func(w io.Writer, rep *checkReport) error {
			writeResultsText(w, rep.Results, rep.Graded)
			for _, dc := range rep.instances() {
				dc.writeText(w)
			}
			return nil
		},
	})
}
