package platforms

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"gitopscfg/providers"
)

// Push creates or updates c's configuration in Devtron the safe way: normalise it, look the
// provider up, then POST (absent) or PUT by that id (present), keeping the TLS data Devtron holds
// and, unless o.Activate, Devtron's active provider. Devtron's 200 answer is read for what it
// means (a non-empty stageErrorMap is a refusal). After a 5xx the state is read back, and nothing
// is retried. Cancelling ctx stops waiting (Devtron may still finish on its side: the result
// says so).
func (d *Devtron) Push(ctx context.Context, c providers.Credentials, o PushOptions) (res PushResult, err error) {
	p := &pushRun{d: d, c: c, o: o, start: time.Now(),
		res: PushResult{Provider: c.Provider, Devtron: d.base + "/", Stages: []Stage{}, Warnings: []string{}}}
	defer func() { res, err = p.finish(ctx, err) }()
	cfg, err := p.prepare(ctx)
	if err != nil {
		return p.res, err
	}
	a, err := p.send(ctx, cfg)
	switch {
	case err != nil && ctx.Err() != nil:
		p.res.Outcome = OutcomeUnknown
		p.res.Message = "stopped waiting: Devtron goes on validating on its side and may still save the configuration; see `gitopscfg status` later"
		return p.res, err
	case err != nil:
		// No answer: it may have been saved all the same; read back before anything else.
		p.res.Outcome = OutcomeUnknown
		p.emit("readback", "no answer: reading Devtron's state back")
		return p.readBack(ctx, cfg, "Devtron did not answer ("+p.redact(err.Error())+")")
	case a.status >= 500:
		p.emit("readback", "Devtron failed: reading its state back before anything is retried")
		return p.readBack(ctx, cfg, d.failure(a, p.op(), p.redact).Error())
	case a.status != http.StatusOK:
		p.res.Outcome = Refused
		p.res.Message = d.failure(a, p.op(), p.redact).Error()
		return p.res, nil
	}
	var v validationAnswer
	if err := d.result(a, p.op(), &v); err != nil {
		p.res.Outcome = OutcomeUnknown
		return p.readBack(ctx, cfg, err.Error())
	}
	if !p.judge(v, cfg) {
		return p.res, nil
	}
	return p.res, p.readID(ctx, cfg)
}

// pushRun is one Push: what it was asked, how far it got, and what it found.
type pushRun struct {
	d     *Devtron
	c     providers.Credentials
	o     PushOptions
	start time.Time
	reqs  int
	res   PushResult
}

func (p *pushRun) emit(phase, msg string) {
	if p.o.Progress != nil {
		p.o.Progress(Event{Phase: phase, Elapsed: time.Since(p.start), Message: msg})
	}
}

// redact masks both tokens (Devtron's and the pushed one) in s.
func (p *pushRun) redact(s string) string { return redactBoth(s, p.d.in.Token, p.c.Token) }

// op names the request for messages.
func (p *pushRun) op() string {
	verb := "create"
	if p.res.Method == http.MethodPut {
		verb = "update"
	}
	return verb + " Devtron's " + DevtronProvider(p.c.Provider) + " configuration"
}

// finish stamps the result and redacts what it says; an error becomes a pushError.
func (p *pushRun) finish(ctx context.Context, err error) (PushResult, error) {
	p.res.DurationMS = time.Since(p.start).Milliseconds()
	p.res.Requests = p.reqs
	if err != nil {
		err = &pushError{msg: p.redact(err.Error()), err: err, cancelled: ctx.Err() != nil}
	}
	p.res.Message = p.redact(p.res.Message)
	p.emit("done", string(p.res.Outcome))
	return p.res, err
}

// prepare normalises the credentials, looks the provider up in Devtron and decides the request:
// POST or PUT by id, active or kept inactive (a *SwitchError when a create would switch Devtron's
// active provider without o.Activate).
func (p *pushRun) prepare(ctx context.Context) (Config, error) {
	cfg, warnings, err := normalize(ctx, p.d.env, p.c)
	if err != nil {
		return cfg, err
	}
	p.res.Warnings = append(p.res.Warnings, warnings...)
	p.emit("lookup", "looking up Devtron's "+cfg.Provider+" configuration")
	existing, found, err := p.d.ByProvider(ctx, cfg.Provider)
	p.reqs++
	if err != nil {
		return cfg, err
	}
	if err := p.decideActive(ctx, &cfg, existing, found); err != nil {
		return cfg, err
	}
	p.customRepository(&cfg, existing, found)
	p.res.Method = http.MethodPost
	if found {
		p.res.Method = http.MethodPut
		cfg.ID = existing.ID
		if w := keepTLS(&cfg, existing); w != "" {
			p.res.Warnings = append(p.res.Warnings, w)
		}
	}
	return cfg, nil
}

// decideActive sets whether cfg is sent active: it stays as it is in Devtron unless the push may
// switch Devtron's active provider (o.Activate, or none is active there).
func (p *pushRun) decideActive(ctx context.Context, cfg *Config, existing Config, found bool) error {
	if found && existing.Active {
		p.res.ActiveBefore = string(p.c.Provider)
		return nil
	}
	list, err := p.d.List(ctx)
	p.reqs++
	if err != nil {
		return err
	}
	plan := planFrom(list, cfg.Provider)
	p.res.ActiveBefore = ActiveName(plan.Active)
	switch {
	case !plan.Switches:
	case p.o.Activate:
		p.res.Switched = true
	case found:
		cfg.Active = false // updated in place, it stays inactive: the active provider there is kept
	default:
		return &SwitchError{Provider: p.c.Provider, Active: plan.Active}
	}
	return nil
}

// send sends cfg and waits for Devtron's answer, reporting "waiting" while Devtron validates.
func (p *pushRun) send(ctx context.Context, cfg Config) (answer, error) {
	if cfg.AllowCustomRepository {
		p.emit("send", fmt.Sprintf("sending the configuration (%s) with allowCustomRepository: Devtron skips its own validation", p.res.Method))
	} else {
		p.emit("send", fmt.Sprintf("sending the configuration (%s); Devtron now validates it against %s: it creates, clones, pushes to and deletes a repository, which can take minutes", p.res.Method, p.c.Host))
	}
	type reply struct {
		a   answer
		err error
	}
	done := make(chan reply, 1)
	go func() {
		a, err := p.d.do(ctx, p.res.Method, "/config", cfg)
		done <- reply{a, err}
	}()
	every := p.o.ProgressEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	defer func() { p.reqs++ }()
	for {
		select {
		case rep := <-done:
			return rep.a, rep.err
		case <-tick.C:
			p.emit("waiting", "Devtron is validating the configuration")
		}
	}
}

// judge reads Devtron's validation answer into the result; it reports whether Devtron saved.
func (p *pushRun) judge(v validationAnswer, cfg Config) bool {
	res := &p.res
	res.Stages = stagesOf(v, p.redact)
	switch {
	case len(v.StageErrorMap) > 0:
		res.Outcome = Refused
		res.Message = "Devtron's validation failed, so it saved nothing: " + firstFailure(res.Stages)
		return false
	case v.ValidationSkipped:
		res.Outcome = SavedUnchecked
		res.Message = skippedMessage(cfg)
	case v.DeleteRepoFailed:
		res.Outcome = SavedWithWarning
		res.Active = cfg.Active
		res.Message = fmt.Sprintf("Devtron saved the configuration, but could not delete its test repository: a repository named %s<6 characters> is left in %s; delete it there (the token may lack the delete permission)", DryRunRepoPrefix, p.c.Org)
		res.Warnings = append(res.Warnings, res.Message+activeNote(*res))
	case len(v.SuccessfulStages) == 0 && v.ValidatedOn.IsZero():
		// Devtron's answer when its validation did not run at all.
		res.Outcome = SavedUnchecked
		res.Message = "Devtron saved the configuration, but its validation did not run"
	default:
		res.Outcome = Saved
		res.Message = "Devtron validated and saved the configuration"
	}
	res.Active = cfg.Active
	res.Message += activeNote(*res)
	return true
}

// readID fills the saved configuration's id: the sent one for an update; Devtron's create
// answer has none, so it is read back (one more request, creates only).
func (p *pushRun) readID(ctx context.Context, cfg Config) error {
	if p.res.Method == http.MethodPut {
		p.res.ID = cfg.ID
		return nil
	}
	got, ok, err := p.d.ByProvider(ctx, cfg.Provider)
	p.reqs++
	if err == nil && ok {
		p.res.ID = got.ID
		if !got.Active {
			p.res.Warnings = append(p.res.Warnings, "Devtron answered success, but its "+cfg.Provider+" configuration is not the active one")
		}
	}
	return nil
}

// activeNote says, after a saved push, which provider is active in Devtron.
func activeNote(res PushResult) string {
	switch {
	case res.Switched:
		return fmt.Sprintf("; it is now the active one there, in place of %s", res.ActiveBefore)
	case res.Active:
		return "; it is the active one there"
	case res.ActiveBefore != "":
		return fmt.Sprintf("; %s stays the active one there (this configuration is inactive)", res.ActiveBefore)
	}
	return ""
}

// readBack reads Devtron's state after a failure without a clear answer and says whether what
// was sent is saved. It never retries.
func (p *pushRun) readBack(ctx context.Context, sent Config, why string) (PushResult, error) {
	res := &p.res
	got, found, err := p.d.ByProvider(ctx, sent.Provider)
	p.reqs++
	switch {
	case err != nil:
		res.Outcome = OutcomeUnknown
		res.Message = why + "; reading Devtron's state back failed too (" + err.Error() + "): whether it saved is unknown; see `gitopscfg status` before pushing again"
	case found && len(diffConfig(sent, got)) == 0 && got.Active == sent.Active:
		res.Outcome = SavedWithWarning
		res.ID = got.ID
		res.Active = got.Active
		res.Message = why + "; Devtron holds the configuration as sent all the same" + activeNote(*res)
		res.Warnings = append(res.Warnings, res.Message)
	default:
		res.Outcome = Refused
		if found {
			res.ID = got.ID
		}
		res.Message = why + "; Devtron's state was read back: the configuration was not saved (nothing was retried)"
	}
	return *res, nil
}
