package platforms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// ErrUnsupported is matched by the error for a provider Devtron has no such provider for.
var ErrUnsupported = errors.New("Devtron has no such GitOps provider")

func unsupported(id providers.ID) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, unsupportedMsg(id))
}

// normalize turns stored credentials into the configuration Devtron must receive: its provider
// name, the host as Devtron's clients expect it, a GitLab group as its numeric id (looked up
// through the GitLab API: Devtron's Create Repo stage cannot use a path), a Bitbucket project key
// upper-case with Bitbucket's fixed host, and the CA bundle's PEM as tlsConfig. It refuses an
// empty token (Devtron would save without validating) and a provider Devtron does not have.
// Warnings say what Devtron will do differently from the stored settings.
func normalize(ctx context.Context, env *providers.Env, c providers.Credentials) (cfg Config, warnings []string, err error) {
	name := DevtronProvider(c.Provider)
	if name == "" {
		return Config{}, nil, unsupported(c.Provider)
	}
	if strings.TrimSpace(c.Token) == "" {
		return Config{}, nil, errors.New("the stored token is empty: Devtron would skip its validation and save a configuration that cannot work; set the token first")
	}
	cfg = Config{Provider: name, Username: strings.TrimSpace(c.Username), Token: c.Token, Active: true}
	warnings, err = targets[c.Provider].devtronFill(ctx, env, c, &cfg)
	if err != nil {
		return Config{}, nil, err
	}
	cfg.TLSConfig = &TLSConfig{}
	if c.CABundle != "" {
		pem, rerr := os.ReadFile(c.CABundle)
		if rerr != nil {
			return Config{}, nil, fmt.Errorf("cannot read the CA bundle for Devtron: %w", rerr)
		}
		if !strings.Contains(string(pem), "-----BEGIN CERTIFICATE-----") {
			return Config{}, nil, fmt.Errorf("the CA bundle %s holds no PEM certificate", c.CABundle)
		}
		cfg.EnableTLSVerification = true
		cfg.TLSConfig.CaData = string(pem)
		cfg.IsCADataPresent = true
	}
	return cfg, warnings, nil
}

// keepTLS makes cfg keep the TLS data Devtron holds for existing: the is*Present flags are
// authoritative on Devtron's side (false erases), and enableTLSVerification false erases all.
func keepTLS(cfg *Config, existing Config) (warning string) {
	if !existing.EnableTLSVerification || !(existing.IsCADataPresent || existing.IsTLSCertDataPresent || existing.IsTLSKeyDataPresent) {
		return ""
	}
	cfg.IsTLSCertDataPresent = existing.IsTLSCertDataPresent
	cfg.IsTLSKeyDataPresent = existing.IsTLSKeyDataPresent
	if !cfg.EnableTLSVerification {
		cfg.EnableTLSVerification = true
		cfg.IsCADataPresent = existing.IsCADataPresent
		return "Devtron holds TLS data for this provider that gitopscfg has not stored (a CA certificate or a client certificate); it is kept as it is"
	}
	return ""
}

// Event is one step of a push, for progress display.
type Event struct {
	// Phase is "lookup", "send", "waiting" (Devtron is validating; repeated), "readback" or "done".
	Phase   string
	Elapsed time.Duration
	Message string
}

// PushOutcome says what became of a push.
type PushOutcome string

// The outcomes of a push.
const (
	Saved            PushOutcome = "saved"
	SavedWithWarning PushOutcome = "saved_with_warning"
	SavedUnchecked   PushOutcome = "saved_unchecked"
	Refused          PushOutcome = "refused"
	OutcomeUnknown   PushOutcome = "unknown"
)

// Stage is one of Devtron's validation stages and what came of it.
type Stage struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
}

// PushResult is the outcome of a push, as `push devtron --json` prints it. It never holds a token.
type PushResult struct {
	Provider   providers.ID `json:"provider"`
	Devtron    string       `json:"devtron"`
	Outcome    PushOutcome  `json:"outcome"`
	Method     string       `json:"method,omitempty"` // POST (created) or PUT (updated)
	ID         int          `json:"id,omitempty"`
	Stages     []Stage      `json:"stages"`
	Warnings   []string     `json:"warnings"`
	Message    string       `json:"message"`
	DurationMS int64        `json:"duration_ms"`
	Requests   int          `json:"requests"`
	// Active says whether the configuration is Devtron's active one after the push.
	Active bool `json:"active"`
	// ActiveBefore is the provider Devtron had active before the push ("" none); Switched is true
	// when the push made Provider the active one in its place.
	ActiveBefore string `json:"active_before,omitempty"`
	Switched     bool   `json:"switched"`
}

// OK reports whether Devtron saved the configuration.
func (r PushResult) OK() bool {
	return r.Outcome == Saved || r.Outcome == SavedWithWarning || r.Outcome == SavedUnchecked
}

// validationAnswer is DetailedErrorGitOpsConfigResponse.
type validationAnswer struct {
	SuccessfulStages  []string          `json:"successfulStages"`
	StageErrorMap     map[string]string `json:"stageErrorMap"`
	ValidatedOn       time.Time         `json:"validatedOn"`
	DeleteRepoFailed  bool              `json:"deleteRepoFailed"`
	ValidationSkipped bool              `json:"validationSkipped"`
}

// stageOrder is the order Devtron's validation runs its stages in; its connection errors come
// first, under "error in connecting with <PROVIDER>".
var stageOrder = []string{"Create Repo", "Clone Http", "Create Readme", "Clone Ssh", "Clone", "Commit On Rest", "Push", "Delete Repo"}

// DryRunRepoPrefix starts the name of Devtron's throw-away validation repository.
const DryRunRepoPrefix = "devtron-sample-repo-dryrun-"

// PushOptions tunes a push.
type PushOptions struct {
	// Progress, when set, receives the push's events (from the calling goroutine's helper; it
	// must not block for long).
	Progress func(Event)
	// ProgressEvery is how often a "waiting" event repeats while Devtron validates (default 5s).
	ProgressEvery time.Duration
	// Activate lets the push make the provider Devtron's active one in place of another (its
	// applications then use it). Without it the active provider there never changes: a
	// configuration Devtron holds inactive is updated and stays inactive, and one Devtron does
	// not hold while another is active is not created (a *SwitchError, before anything is sent),
	// since Devtron saves every new configuration active.
	Activate bool
}

// SwitchError is a push refused before anything was sent because it would have made Provider
// Devtron's active provider in place of Active.
type SwitchError struct {
	Provider providers.ID
	// Active is Devtron's name of its active provider (GITHUB, ...).
	Active string
}

func (e *SwitchError) Error() string {
	return fmt.Sprintf("Devtron's active GitOps provider is %s: creating %s there would make %s the active one in its place (Devtron saves every new configuration active), so its applications would push there; nothing was sent",
		ActiveName(e.Active), e.Provider, e.Provider)
}

// ActiveName is the provider id Devtron's provider name stands for, or the name itself when it is
// one gitopscfg does not know.
func ActiveName(devtronName string) string {
	if id := fromDevtron(devtronName); id != "" {
		return string(id)
	}
	return devtronName
}

// SwitchPlan is what a push of a provider would do to Devtron's active provider.
type SwitchPlan struct {
	// Active is Devtron's name of its active provider now ("" when none is).
	Active string
	// Present is true when Devtron holds a configuration of the provider.
	Present bool
	// Switches is true when a push with Activate would make the provider active in place of another.
	Switches bool
}

// PlanPush reads Devtron's configurations (one request) and says what a push of provider id would
// do to Devtron's active provider, so that a front-end can ask before the push.
func (d *Devtron) PlanPush(ctx context.Context, id providers.ID) (SwitchPlan, error) {
	name := DevtronProvider(id)
	if name == "" {
		return SwitchPlan{}, unsupported(id)
	}
	list, err := d.List(ctx)
	if err != nil {
		return SwitchPlan{}, err
	}
	return planFrom(list, name), nil
}

func planFrom(list []Config, name string) SwitchPlan {
	var p SwitchPlan
	for _, c := range list {
		if c.Provider == name {
			p.Present = true
		}
		if c.Active {
			p.Active = c.Provider
		}
	}
	p.Switches = p.Active != "" && p.Active != name
	return p
}

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
	p.res.Method = http.MethodPost
	if found {
		p.res.Method = http.MethodPut
		cfg.ID = existing.ID
		cfg.AllowCustomRepository = existing.AllowCustomRepository
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
	p.emit("send", fmt.Sprintf("sending the configuration (%s); Devtron now validates it against %s: it creates, clones, pushes to and deletes a repository, which can take minutes", p.res.Method, p.c.Host))
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
		res.Message = "Devtron saved the configuration without checking it (custom repositories are allowed there, or its Argo CD module is not installed): gitopscfg's own check is the only one it has had"
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

// pushError is a push that could not be done; Cancelled marks a stop by the caller.
type pushError struct {
	msg       string
	err       error // matched by errors.Is / As (ErrUnsupported, *APIError); its text is never shown
	cancelled bool
}

func (e *pushError) Error() string { return e.msg }

func (e *pushError) Unwrap() error { return e.err }

func (e *pushError) Is(target error) bool { return e.cancelled && target == context.Canceled }

func redactBoth(s, a, b string) string { return safe.Redact(safe.Redact(s, a), b) }

// stagesOf lists Devtron's stages in its order: the connection error first, then the stages that
// passed or failed, then any stage Devtron named that this build does not know.
func stagesOf(v validationAnswer, redact func(string) string) []Stage {
	var out []Stage
	keys := make([]string, 0, len(v.StageErrorMap))
	for k := range v.StageErrorMap {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "error in connecting with") {
			out = append(out, Stage{Name: k, Message: redact(v.StageErrorMap[k])})
		}
	}
	for _, st := range stageOrder {
		if msg, bad := v.StageErrorMap[st]; bad {
			out = append(out, Stage{Name: st, Message: redact(msg)})
		} else if slices.Contains(v.SuccessfulStages, st) {
			out = append(out, Stage{Name: st, OK: true})
		}
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "error in connecting with") && !slices.Contains(stageOrder, k) {
			out = append(out, Stage{Name: k, Message: redact(v.StageErrorMap[k])})
		}
	}
	if v.DeleteRepoFailed && !slices.Contains(v.SuccessfulStages, "Delete Repo") {
		out = append(out, Stage{Name: "Delete Repo", Message: "failed (Devtron saves all the same)"})
	}
	return out
}

func firstFailure(st []Stage) string {
	for _, s := range st {
		if !s.OK {
			return s.Name + ": " + clip(s.Message)
		}
	}
	return "no stage named"
}

// diffConfig names the fields in which Devtron's configuration got differs from want (the token
// compared, never shown).
func diffConfig(want, got Config) []string {
	var out []string
	for _, f := range []struct {
		name string
		x, y string
	}{
		{"host", normHost(want.Host), normHost(got.Host)}, {"username", want.Username, got.Username},
		{"token", want.Token, got.Token}, {"org", orgOf(want), orgOf(got)},
		{"project_key", want.BitBucketProjectKey, got.BitBucketProjectKey},
	} {
		if f.x != f.y {
			out = append(out, f.name)
		}
	}
	if want.IsCADataPresent != got.IsCADataPresent {
		out = append(out, "ca_bundle")
	}
	return out
}

func normHost(h string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(h), "/")) }
