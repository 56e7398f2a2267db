package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gitopscfg/providers"
)

// The names an admin types: providers (with their other names), platforms and verbs, and the
// "did you mean" of a mistyped one.

// aliasOf is the provider an alias names (see providers.AliasOf).
func aliasOf(name string) (providers.ID, bool) { return providers.AliasOf(name) }

// aliasNames lists the aliases of id (every alias when id is empty), in their order.
func aliasNames(id providers.ID) []string { return providers.AliasNames(id) }

// providerArg validates a PROVIDER argument: a provider id or an alias, in any case.
func providerArg(s string) (providers.Provider, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if id, ok := aliasOf(name); ok {
		name = string(id)
	}
	p, err := providers.Lookup(name)
	if err != nil {
		return p, usageErr("%s", unknownProvider(s))
	}
	return p, nil
}

// unknownProvider says that s names no provider, what it may have meant, and what the names are.
func unknownProvider(s string) string {
	names := make([]string, 0, len(providers.IDs)+len(aliasNames("")))
	for _, id := range providers.IDs {
		names = append(names, string(id))
	}
	names = append(names, aliasNames("")...)
	msg := fmt.Sprintf("unknown provider %q: ", s)
	if sug := suggest(s, names); len(sug) > 0 {
		msg += "did you mean " + orList(sug) + "? Use "
	} else {
		msg += "use "
	}
	return msg + "one of " + providerIDList()
}

// providerIDList names the provider ids and the aliases, for help and errors:
// "github, gitlab, azure, bitbucket, gitea (or forgejo, codeberg)".
func providerIDList() string {
	ids := make([]string, len(providers.IDs))
	for i, id := range providers.IDs {
		ids[i] = string(id)
		if also := aliasNames(id); len(also) > 0 {
			ids[i] += " (or " + strings.Join(also, ", ") + ")"
		}
	}
	return strings.Join(ids, ", ")
}

// providerName is how the output names the provider with id in prose (GitHub); an id no provider
// has is shown as it is.
func providerName(id string) string {
	if p, err := providers.Lookup(id); err == nil {
		return p.Name
	}
	return id
}

// platformArg checks a PLATFORM argument against the platforms a verb delivers to; the error says
// what the name may have meant.
func platformArg(s string, platforms []string, use string) error {
	if slices.Contains(platforms, s) {
		return nil
	}
	msg := fmt.Sprintf("unknown platform %q: ", s)
	if sug := suggest(s, platforms); len(sug) > 0 {
		msg += "did you mean " + orList(sug) + "? "
		if rest, ok := strings.CutPrefix(use, "use "); ok {
			use = "Use " + rest
		}
	}
	return usageErr("%s%s", msg, use)
}

// rejectUnknownCommand is the positional-argument rule of a command that only groups verbs (the
// root, devtron): an argument is a mistyped verb, and the error says which ones it may have meant.
func rejectUnknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
		msg += ": did you mean " + orList(sug) + "?"
	}
	return usageErr("%s", msg)
}

// suggestionDistance is the largest edit distance at which a name is suggested (cobra's default
// SuggestionsMinimumDistance, which the verbs use).
const suggestionDistance = 2

// suggest returns the names typed may have meant, in the order of names: the nearest ones when
// they are within suggestionDistance edits (ignoring case; "githb" is github, not also gitlab and
// gitea two edits away), those it starts ("git"), and those that start it ("azure-devops").
func suggest(typed string, names []string) []string {
	t := strings.ToLower(strings.TrimSpace(typed))
	if t == "" {
		return nil
	}
	dist := make([]int, len(names))
	best := suggestionDistance
	for i, n := range names {
		dist[i] = editDistance(t, n)
		best = min(best, dist[i])
	}
	var out []string
	for i, n := range names {
		if dist[i] == best || strings.HasPrefix(n, t) || strings.HasPrefix(t, n) {
			out = append(out, n)
		}
	}
	return out
}

// editDistance is the number of edits between a and b, in runes: insertions, deletions,
// substitutions and transpositions of two neighbours ("gitlba" is one edit from gitlab).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// orList joins names as prose: "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
