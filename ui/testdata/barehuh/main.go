// Command barehuh is the start-up baseline for gitopscfg's UI: a bare huh v2 form with the same four
// fields as a provider's form, run as its own program. Build it and time both with ptytime:
//
//	go build -o /tmp/barehuh ./ui/testdata/barehuh
//	ptytime "Git Host" 20 /tmp/barehuh
package main

import (
	"fmt"
	"os"

	"charm.land/huh/v2"
)

func main() {
	var host, org, user, token string
	host = "https://github.com/"
	err := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Git Host").Value(&host),
		huh.NewInput().Title("GitHub Organisation Name").Value(&org),
		huh.NewInput().Title("Username").Value(&user),
		huh.NewInput().Title("Personal Access Token").EchoMode(huh.EchoModePassword).Value(&token),
	)).Run()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
