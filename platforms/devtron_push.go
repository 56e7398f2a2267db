package platforms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	if err := DevtronRefusal(c); err != nil {
		return Config{}, nil, err
	}
	name := DevtronProvider(c.Provider)
	if name == "" {
		return Config{}, nil, unsupported(c.Provider)
	}
	if c.Settings, err = providers.InlineClientCert(c.Settings); err != nil { // Devtron gets a copy of the files now
		return Config{}, nil, err
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
	if c.ClientCert != "" {
		cfg.EnableTLSVerification = true
		cfg.TLSConfig.TLSCertData, cfg.TLSConfig.TLSKeyData = c.ClientCert, c.ClientKey
		cfg.IsTLSCertDataPresent, cfg.IsTLSKeyDataPresent = true, true
	}
	if c.Proxy != "" {
		warnings = append(warnings, "Devtron has no proxy setting for a Git provider: the proxy "+hostOfURL(c.Proxy)+
			" is not sent; Devtron's own pods (devtron, argocd-repo-server) need HTTPS_PROXY and NO_PROXY in their environment")
	}
	return cfg, warnings, nil
}

// hostOfURL is a URL's host:port, for messages (never its credentials).
func hostOfURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// keepTLS makes cfg keep the TLS data Devtron holds for existing: the is*Present flags are
// authoritative on Devtron's side (false erases), and enableTLSVerification false erases all.
func keepTLS(cfg *Config, existing Config) (warning string) {
	if !existing.EnableTLSVerification || !(existing.IsCADataPresent || existing.IsTLSCertDataPresent || existing.IsTLSKeyDataPresent) {
		return ""
	}
	// A client certificate sent now replaces Devtron's; one not sent is kept.
	cfg.IsTLSCertDataPresent = cfg.IsTLSCertDataPresent || existing.IsTLSCertDataPresent
	cfg.IsTLSKeyDataPresent = cfg.IsTLSKeyDataPresent || existing.IsTLSKeyDataPresent
	if !cfg.EnableTLSVerification {
		cfg.EnableTLSVerification = true
		cfg.IsCADataPresent = existing.IsCADataPresent
		return "Devtron holds TLS data for this provider that gitopscfg has not stored (a CA certificate or a client certificate); it is kept as it is"
	}
	return ""
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
	if want.IsTLSCertDataPresent && !got.IsTLSCertDataPresent {
		out = append(out, "client_cert")
	}
	return out
}

func normHost(h string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(h), "/")) }
