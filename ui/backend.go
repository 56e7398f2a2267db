package ui

import "gitopscfg/usecase"

// backend is the use cases on the session's store, with the session's providers' environment,
// clock, audit name and check and round trip (emulated in tests). Screens call it from their
// tea.Cmds; no screen talks to a provider, a platform or the store's writes itself.
func (c *common) backend() *usecase.Backend {
	return usecase.New(c.store, usecase.Options{Env: usecase.EnvOf(c.opts.Env), Now: c.now, Who: c.opts.Who,
		Check: usecase.CheckFunc(c.check), Deep: usecase.DeepFunc(c.deep), CheckLater: usecase.CheckLaterFunc(c.checkLater)})
}
