package kit

import (
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The testscript commands the command line's scripts share (e2e/testdata/script, and the scripts
// of a package that registers a platform of its own).

// Exits is the script command exits: exits N gitopscfg ARGS... runs the binary and fails unless
// it exits with status N; its output is then stdout and stderr, as with exec.
func Exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...] (no !)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// jsonAt decodes stdout and walks PATH (dot-separated keys and indexes; "." is the whole document).
func jsonAt(ts *testscript.TestScript, path string) any {
	var v any
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("stdout is not one JSON document: %v", err)
	}
	if dec.More() {
		ts.Fatalf("stdout holds more than one JSON document")
	}
	if path == "." {
		return v
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("%s: no key %q", path, k)
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: no element %q (%d elements)", path, k, len(x))
			}
			v = x[i]
		default:
			ts.Fatalf("%s: %q is inside a %T", path, k, v)
		}
	}
	return v
}

// JSONKeys is the script command jsonkeys: jsonkeys PATH KEY... fails unless the object at PATH
// in stdout has exactly these keys.
func JSONKeys(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: jsonkeys PATH KEY...")
	}
	obj, ok := jsonAt(ts, args[0]).(map[string]any)
	if !ok {
		ts.Fatalf("%s is not an object", args[0])
	}
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(args[1:]))
	if !slices.Equal(got, want) {
		ts.Fatalf("%s has keys %v, want %v", args[0], got, want)
	}
}

// JSONVal is the script command [!] jsonval PATH WANT: it fails unless the value at PATH in
// stdout, as compact JSON, is WANT (with !: is not WANT).
func JSONVal(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonval PATH WANT")
	}
	b, err := json.Marshal(jsonAt(ts, args[0]))
	ts.Check(err)
	if got := string(b); (got == args[1]) == neg {
		ts.Fatalf("%s is %s, want %s%s", args[0], got, map[bool]string{true: "anything but "}[neg], args[1])
	}
}
