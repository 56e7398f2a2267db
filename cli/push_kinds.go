package cli

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"gitopscfg/platforms"
)

// pushKinds are the kinds of platform a push goes to, sorted: those that have instances.
func pushKinds() []string {
	var out []string
	for _, s := range platforms.Kinds() {
		if s.Open != nil {
			out = append(out, string(s.Kind))
		}
	}
	return out
}

// platformNames names the kinds' platforms in prose ("Devtron", "Argo CD, Devtron or Flux").
func platformNames(kinds []string) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		spec, _ := platforms.Lookup(k)
		names[i] = spec.Name
	}
	return orList(names)
}

// pushFlagsUse is the usage of the flags only some kinds take.
func pushFlagsUse() string {
	var oneActive, prunes bool
	for _, s := range platforms.Kinds() {
		oneActive = oneActive || s.Open != nil && s.OneActive
		prunes = prunes || s.Open != nil && s.Prunes
	}
	var use string
	if prunes {
		use += "[--prune] "
	}
	if oneActive {
		use += "[--activate] [--replace] "
	}
	return use
}

// pushLong is push's help text: each kind's paragraph, then the rules every push follows.
func pushLong() string {
	var b strings.Builder
	var saved, refused []string
	for _, k := range pushKinds() {
		spec, _ := platforms.Lookup(k)
		b.WriteString(spec.PushDoc + "\n\n")
		saved = appendNew(saved, spec.PushExits[0])
		refused = appendNew(refused, spec.PushExits[1])
	}
	b.WriteString(`A configuration whose last check failed, or that changed since its last check, is refused: run
` + "`gitopscfg check CREDENTIAL`" + ` first, or give --force.

Exit 0: ` + strings.Join(saved, "; ") + `. Exit 1: ` + strings.Join(refused, "; ") + `. Exit 2: usage or store.`)
	return b.String()
}

// appendNew appends s to list unless list holds it already.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// fromArgs refuses a platform a push cannot go to and reads the CREDENTIAL argument into opts.
func (opts *pushOptions) fromArgs(args []string) error {
	kinds := pushKinds()
	use := "gitopscfg pushes to " + orList(kinds)
	var exportOnly []string
	for _, s := range platforms.Exporters() {
		if s.Open == nil {
			exportOnly = append(exportOnly, s.Name)
		}
	}
	if len(exportOnly) > 0 {
		use += " (for " + strings.Join(exportOnly, " and ") + " use `gitopscfg export`)"
	}
	if err := platformArg(args[0], kinds, use); err != nil {
		return err
	}
	opts.Kind = platforms.Kind(args[0])
	if len(args) == 2 {
		if err := readCredentialArg(args[1], &opts.Credential, &opts.Typed); err != nil {
			return err
		}
	}
	return nil
}

// addFlags declares push's flags, bound to opts; those only some kinds take are declared when a
// registered kind takes them.
func (opts *pushOptions) addFlags(fl *pflag.FlagSet) {
	names := platformNames(pushKinds())
	fl.StringArrayVar(&opts.Instances, "instance", nil, "the "+names+" instance to push to (repeat for several; default: the only one)")
	fl.BoolVar(&opts.AllInstances, "all-instances", false, "push to every stored "+names+" instance")
	for _, s := range platforms.Kinds() {
		switch {
		case s.Open == nil:
		case s.OneActive && fl.Lookup("activate") == nil:
			fl.BoolVar(&opts.Replace, "replace", false, "replace another credential of the same provider that an instance holds")
			fl.BoolVar(&opts.Activate, "activate", false, "make the provider "+s.Name+"'s active one (in place of another) and the active one here")
		case s.Prunes && fl.Lookup("prune") == nil:
			fl.BoolVar(&opts.Prune, "prune", false, "also delete what was pushed there for credentials no longer stored")
		}
	}
	fl.BoolVar(&opts.Force, "force", false, "push even if the last check failed or the settings changed since")
	fl.BoolVar(&opts.JSON, "json", false, "print the outcome as JSON")
	fl.DurationVar(&opts.Timeout, "timeout", 15*time.Minute, "give up waiting for "+names+" after this long")
}

// spec is the pushed kind's registration, and a usage error for a flag it does not take.
func (opts *pushOptions) spec() (platforms.Spec, error) {
	spec, err := platforms.Lookup(string(cmp.Or(opts.Kind, platforms.KindDevtron)))
	switch {
	case err != nil:
		return spec, usageErr("%v", err)
	case !spec.OneActive && (opts.Activate || opts.Replace):
		return spec, usageErr("--activate and --replace are for a platform with one active configuration per provider; %s has none", spec.Name)
	case !spec.Prunes && opts.Prune:
		return spec, usageErr("--prune: %s cannot tell what was pushed there for credentials no longer stored", spec.Name)
	}
	return spec, nil
}
