package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// common is what every screen shares: the terminal's background, styles, keys, the clock,
// the check and the round trip, the session's context and the store. Screens read it; only the root's Update writes it.
type common struct {
	opts   Options
	dark   bool
	styles styles
	keys   keyMap
	help   help.Model
	links  terminalLinks // whether the terminal gets OSC 8 hyperlinks (link.go)

	now   func() time.Time
	check checkFunc
	deep  deepFunc
	// checkLater is the live check that leaves what can wait to a later command (panel_later.go);
	// nil with a canned check, which leaves nothing. later holds that work until it has run.
	checkLater checkLaterFunc
	later      *laterWork
	spinner    spinner.Spinner
	debounce   time.Duration
	watch      time.Duration

	// ctx ends with the session: checks in flight are cancelled when the admin quits.
	ctx   context.Context
	store *config.Store
}

// maskChar is the character every masked input shows for each typed one: huh's token fields show
// it, so the passphrase and the rotation's new token do too.
const maskChar = '*'

func newCommon(opts Options, d deps) *common {
	h := help.New()
	h.ShortSeparator = " · " // the separator every other list on the screen uses
	c := &common{opts: opts, dark: true, keys: newKeyMap(), help: h,
		now: d.now, check: d.check, deep: d.deep, checkLater: d.checkLater, debounce: d.debounce, watch: d.watch, store: opts.Store,
		later: &laterWork{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.check == nil && c.checkLater == nil {
		c.checkLater = providers.RunDeferred
	}
	if c.check == nil {
		c.check = providers.Run
	}
	if c.deep == nil {
		c.deep = providers.RunDeep
	}
	if c.debounce <= 0 {
		c.debounce = 400 * time.Millisecond
	}
	if c.watch == 0 {
		c.watch = time.Second
	}
	if c.opts.Env == nil {
		c.opts.Env = providers.NewEnv(opts.Version)
	}
	if c.opts.Who == "" {
		c.opts.Who = config.LocalUser()
	}
	c.spinner = spinner.MiniDot
	if d.still {
		c.spinner = spinner.Spinner{Frames: []string{"⋯"}, FPS: time.Hour}
	}
	c.setDark(true)
	return c
}

func (c *common) setDark(dark bool) {
	c.dark = dark
	c.styles = newStyles(dark)
	c.help.Styles = help.DefaultStyles(dark)
}

// newSpinner is a spinner in the session's style.
func (c *common) newSpinner() spinner.Model {
	return spinner.New(spinner.WithSpinner(c.spinner), spinner.WithStyle(c.styles.dim))
}
