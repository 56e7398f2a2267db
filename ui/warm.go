package ui

import (
	"io"
	"os"

	uv "github.com/charmbracelet/ultraviolet"
)

// warmRenderer draws a styled sample the way the program's renderer draws a frame, into nothing.
// A process starts cold: the renderer's code is not paged in yet and its width tables are not
// built, and the first frame paid for both. Run starts it beside the program, which spends its
// first 16 ms (one frame at 60 fps) waiting for the frame tick, so that the first frame is
// written as soon as it is due. It is only a warm-up: whatever goes wrong in it is dropped.
func warmRenderer(sample string, width, height int) {
	defer func() { _ = recover() }()
	buf := uv.NewScreenBuffer(width, height)
	uv.NewStyledString(sample).Draw(buf, buf.Bounds())
	r := uv.NewTerminalRenderer(io.Discard, os.Environ())
	r.Render(buf.RenderBuffer)
	_ = r.Flush()
}
