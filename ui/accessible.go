package ui

import "context"

// accessibleIO are the streams of the accessible mode (zero: the process's).
type accessibleIO struct{}

func runAccessible(ctx context.Context, opts Options, io accessibleIO) error {
	return nil
}
