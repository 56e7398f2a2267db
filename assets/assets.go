// Package assets holds the texts gitopscfg shows that are written rather than computed: the help of
// every field of every provider form (help/<provider>.txt, help/advanced.txt), embedded in the
// binary. Each file has one section per field: a "## <field>" line, then the text.
package assets

import (
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed help/*.txt
var helpFiles embed.FS

var (
	helpOnce sync.Once
	help     map[string]map[string]string // file (provider, or "advanced") → field → text
)

// FieldHelp is the help text of field in file ("github", …, or "advanced"). A missing text is a
// bug in the build, not a runtime condition: it panics, and the providers' tests catch it.
func FieldHelp(file, field string) string {
	helpOnce.Do(loadHelp)
	text, ok := help[file][field]
	if !ok {
		panic(fmt.Sprintf("assets: no help for %s/%s", file, field))
	}
	return text
}

func loadHelp() {
	help = map[string]map[string]string{}
	entries, _ := helpFiles.ReadDir("help")
	for _, e := range entries {
		raw, _ := helpFiles.ReadFile("help/" + e.Name())
		sections := map[string]string{}
		var field string
		var text []string
		flush := func() {
			if field != "" {
				sections[field] = strings.TrimSpace(strings.Join(text, "\n"))
			}
		}
		for _, line := range strings.Split(string(raw), "\n") {
			switch {
			case strings.HasPrefix(line, "## "):
				flush()
				field, text = strings.TrimSpace(line[3:]), nil
			case strings.HasPrefix(line, "# "):
			default:
				text = append(text, line)
			}
		}
		flush()
		help[strings.TrimSuffix(e.Name(), ".txt")] = sections
	}
}
