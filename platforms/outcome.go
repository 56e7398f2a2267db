package platforms

import (
	"time"

	"gitopscfg/platforms/kube"
	"gitopscfg/providers"
)

// The outcomes every kind of platform reports (ARCHITECTURE.md: a platform is one package plus
// its registration): a comparison with the stored credentials (Drift) and a delivery
// (PushResult). Some fields are one kind's only, and say so.

// DriftState is how what a platform instance holds for a credential compares with the stored one.
type DriftState string

// The drift states, as `status --json` names them.
const (
	InSync  DriftState = "in_sync"
	Differs DriftState = "differs"
	Absent  DriftState = "absent"
	// Other: the instance holds another stored credential of the same provider (a platform with
	// one configuration per provider: Spec.OneActive).
	Other DriftState = "other"
	// Unsupported: the platform cannot take the credential (Devtron has no Gitea provider).
	Unsupported DriftState = "unsupported"
	// Unknown: the comparison could not be made (e.g. the GitLab group could not be looked up).
	DriftUnknown DriftState = "unknown"
)

// ProviderDrift is one credential's comparison. Fields names what differs (never values).
type ProviderDrift struct {
	// Provider is the credential's provider.
	Provider providers.ID `json:"provider"`
	State    DriftState   `json:"state"`
	Fields   []string     `json:"fields,omitempty"`
	// ActiveThere is true when the instance's active configuration is this credential's provider
	// (Spec.OneActive).
	ActiveThere bool   `json:"active_there"`
	Reason      string `json:"reason,omitempty"`
	// Holder, with State Other, is the stored credential the instance holds for the provider.
	Holder string `json:"holder,omitempty"`
	// Manager, with State Differs on a cluster, names the other field managers that changed what
	// gitopscfg applied ("" when none owns the fields: they were removed, or the store changed).
	Manager string `json:"manager,omitempty"`
}

// Drift is the comparison of every stored credential with one platform instance.
type Drift struct {
	// Active is the provider the instance has active ("" when none, one gitopscfg does not know,
	// or a platform without one: Spec.OneActive).
	Active providers.ID `json:"active"`
	// Credentials is each stored credential's comparison, by name.
	Credentials map[string]ProviderDrift `json:"credentials"`
	// Orphaned names what the platform holds from the product for credentials no longer stored
	// (a platform whose Spec.Prunes can tell; Devtron cannot).
	Orphaned []string `json:"orphaned,omitempty"`
}

// Holder is the stored credential of provider id that the instance holds as it is stored ("" none).
func (d Drift) Holder(id providers.ID, stored []providers.Credentials) string {
	for _, c := range stored {
		if c.Provider == id && d.Credentials[c.CredentialName()].State == InSync {
			return c.CredentialName()
		}
	}
	return ""
}

// Event is one step of a push, for progress display.
type Event struct {
	// Phase is "lookup", "send", "waiting" (the platform is validating, as Devtron does;
	// repeated), "readback" or "done".
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

// Stage is one of the platform's validation stages and what came of it (Devtron's).
type Stage struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
}

// PushResult is the outcome of a push, as `push KIND --json` prints it. It never holds a token.
type PushResult struct {
	Provider providers.ID `json:"provider"`
	Devtron  string       `json:"devtron,omitempty"`
	// Target says where another platform's push went (a cluster's server and namespace).
	Target     string      `json:"target,omitempty"`
	Outcome    PushOutcome `json:"outcome"`
	Method     string      `json:"method,omitempty"` // POST (created) or PUT (updated)
	ID         int         `json:"id,omitempty"`
	Stages     []Stage     `json:"stages"`
	Warnings   []string    `json:"warnings"`
	Message    string      `json:"message"`
	DurationMS int64       `json:"duration_ms"`
	Requests   int         `json:"requests"`
	// Active says whether the configuration is Devtron's active one after the push.
	Active bool `json:"active"`
	// ActiveBefore is the provider Devtron had active before the push ("" none); Switched is true
	// when the push made Provider the active one in its place.
	ActiveBefore string `json:"active_before,omitempty"`
	Switched     bool   `json:"switched"`
	// Objects, for a cluster instance, are the objects applied and what became of each.
	Objects []ObjectResult `json:"objects,omitempty"`
	// Conflicts, for a cluster instance that refused, are the fields other field managers own;
	// TookBack, with Force, the ones taken back from them.
	Conflicts []kube.Conflict `json:"conflicts,omitempty"`
	TookBack  []kube.Conflict `json:"took_back,omitempty"`
	// Pruned, for a cluster push with Keep, are the orphaned Secrets deleted.
	Pruned []Orphan `json:"pruned,omitempty"`
	// CustomRepository is true when the configuration went with allowCustomRepository (the
	// credential names an existing repository): each Devtron application names its own.
	CustomRepository bool `json:"custom_repository"`
}

// OK reports whether the platform saved the configuration.
func (r PushResult) OK() bool {
	return r.Outcome == Saved || r.Outcome == SavedWithWarning || r.Outcome == SavedUnchecked
}

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
	// Force takes back what another manager changed (a cluster's Secret); Devtron has no such
	// notion and ignores it.
	Force bool
	// Keep, when not nil, asks the platform to delete what the product delivered there for
	// credentials not named in it (prune); only platforms whose Spec.Prunes say so do.
	Keep []string
}
