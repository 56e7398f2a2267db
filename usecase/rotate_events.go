package usecase

import (
	"fmt"
	"time"

	"gitopscfg/providers"
)

// RotateEvent is what a rotation reports as it happens: a StepDone, a StepNote, a CreateAt, a
// RotateWarning or an UnsavedToken.
type RotateEvent interface{ rotateEvent() }

// StepDone is a step's result: token, rotate, create, check, round trip, save, push, done,
// interrupted.
type StepDone struct {
	Status        providers.Status
	Name, Message string
}

// StepNote is a line under a step (a round-trip stage, what the store holds, what to do next).
type StepNote struct{ Text string }

// CreateAt says where the admin creates the replacement token and which scopes to tick; the
// token is asked for next.
type CreateAt struct {
	Page   string
	Scopes []providers.Scope
}

// RotateWarning is a problem beside the steps (a result that could not be remembered).
type RotateWarning struct{ Text string }

// UnsavedToken is an issued token the store could not take, shown because the admin asked: its
// only copy. A front-end shows it whole, once, and keeps it nowhere.
type UnsavedToken struct{ Token string }

func (StepDone) rotateEvent() {}

func (RotateWarning) rotateEvent() {}

func (UnsavedToken) rotateEvent() {}

func (StepNote) rotateEvent() {}

func (CreateAt) rotateEvent() {}

// IssuePlan is what happens when the provider issues the new token: it revokes the old one at once.
type IssuePlan struct {
	Provider string
	OldHint  string
	Expires  time.Time
}

// Question is the plan as a question, without the answers.
func (p IssuePlan) Question() string {
	return fmt.Sprintf("%s revokes %s the moment it issues the new token, which will expire on %s. Rotate now?",
		p.Provider, p.OldHint, p.Expires.Format("2006-01-02"))
}

// RotateAsker is what a rotation asks its front-end. Each call blocks until answered; an error
// ends the rotation with it (nothing is saved that was not saved already).
type RotateAsker interface {
	// Confirm asks before the provider issues the new token (skipped with RotateInput.Yes).
	Confirm(IssuePlan) (bool, error)
	// CanReadToken says why no replacement could be read (nil: it can), before anything is shown.
	CanReadToken() error
	// Token reads the replacement the admin created (after a CreateAt event).
	Token() (string, error)
	// ShowUnsaved asks whether to show an issued token that could not be saved (its only copy).
	ShowUnsaved() bool
}
