package cli

import (
	"context"
	"io"
)

// RunInProcess runs one invocation in this process, as the binary would with environment env
// and no terminal to ask a passphrase on; it returns the exit code.
func RunInProcess(args []string, env map[string]string, in io.Reader, out, errOut io.Writer) int {
	return RunInProcessContext(context.Background(), args, env, in, out, errOut)
}

// RunInProcessContext is RunInProcess with ctx, which a test cancels as the first Ctrl-C would.
func RunInProcessContext(ctx context.Context, args []string, env map[string]string, in io.Reader, out, errOut io.Writer) int {
	getenv := func(k string) string { return env[k] }
	return run(ctx, args, newFactory(Streams{In: in, Out: out, Err: errOut}, "dev", getenv, nil))
}

// ParsePromText parses the Prometheus text format as a scraper would (see parsePromText).
var ParsePromText = parsePromText

// RequireGauges checks families as gauges with HELP and no timestamps (see requireGauges).
var RequireGauges = requireGauges
