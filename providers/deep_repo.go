package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// create creates the repository (another name on a collision) and polls until the API returns it.
func (d *deepRun) create(ctx context.Context) (Status, string) {
	var taken []string
	for range deepNameTries {
		name := d.names()
		repo, err := d.api.Create(ctx, name)
		if errors.Is(err, ErrNameTaken) {
			taken = append(taken, name)
			continue
		}
		if err != nil {
			return Fail, d.createFailed(ctx, name, err)
		}
		d.repo = &repo
		break
	}
	if d.repo == nil {
		return Fail, fmt.Sprintf("could not find a free repository name: %s exist already", strings.Join(taken, ", "))
	}
	t0 := time.Now()
	polls, answered, err := d.waitUntil(ctx, true)
	note := ""
	if len(taken) > 0 {
		note = fmt.Sprintf("; %s existed already, so another name was used", strings.Join(taken, ", "))
	}
	if err != nil && answered > 0 && ctx.Err() != nil {
		// The API kept answering, only never with the repository: that is not a timeout of the API.
		return Fail, fmt.Sprintf("created %s, but it never appeared: the API answered %s within %s that it does not exist, "+
			"until the check's deadline; the provider may be slow to show new repositories (run the check again, or give it "+
			"a longer --timeout), or the token may not read the repositories it creates%s",
			d.repo.FullName, timesText(answered), time.Since(t0).Round(100*time.Millisecond), note)
	}
	if err != nil {
		return Fail, fmt.Sprintf("created %s, but the API did not return it (%d polls): %s%s",
			d.repo.FullName, polls, d.describe(err, "reading it back failed"), note)
	}
	after := "at once"
	if polls > 1 {
		after = fmt.Sprintf("after %d polls", polls)
	}
	return d.created(after, note)
}

// created describes the new repository by the visibility the API shows: a repository the
// provider made public is a warning, since GitOps repositories hold the cluster's configuration.
// A repository API whose repositories have no visibility of their own says it itself
// (createdReporter).
func (d *deepRun) created(after, note string) (Status, string) {
	if own, ok := d.api.(createdReporter); ok {
		return own.reportCreated(*d.repo, after, note)
	}
	vis, full := d.repo.Visibility, d.repo.FullName
	switch {
	case vis == "public":
		return Warn, fmt.Sprintf("created repository %s, but the API shows it as public although a private one was asked for: "+
			"check the organisation's repository policies before GitOps repositories are created there; the API returned it %s%s",
			full, after, note)
	case vis == "":
		return Pass, fmt.Sprintf("created repository %s (the API does not show its visibility); the API returned it %s%s",
			full, after, note)
	}
	return Pass, fmt.Sprintf("created %s repository %s; the API returned it %s%s", vis, full, after, note)
}

// createFailed describes a failed Create. Unless the provider definitely refused (a 4xx), the
// server may have created the repository without the answer reaching us (a timeout, Ctrl-C, a
// reset, a 5xx, an unreadable answer): it is then looked up by name, on a context that survives
// cancellation, and if it exists it becomes the repository deep:delete removes.
func (d *deepRun) createFailed(ctx context.Context, name string, err error) string {
	msg := d.describe(err, "creating the repository failed")
	if lostAnswer(err) {
		// Not "cannot reach": the request went out whole and the server hung up before answering.
		msg = fmt.Sprintf("%s closed the connection without answering the creation of %s/%s (%v): the request reached "+
			"it, so the repository may have been created", d.s.APIHost, d.creds.Org, name, rootCause(err))
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 {
		return msg
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DeepDeleteTimeout)
	defer cancel()
	repo, found, ferr := d.api.Find(lctx, name)
	switch {
	case ferr != nil:
		d.unsure = d.creds.Org + "/" + name
		return fmt.Sprintf("%s; whether %s was created all the same could not be read (%s): see deep:delete",
			msg, d.unsure, d.describe(ferr, "the look-up failed"))
	case found:
		d.repo = &repo
		return msg + "; the repository was created all the same, so deep:delete removes it"
	}
	if lostAnswer(err) {
		return msg + "; looking it up found none, so it was not created"
	}
	return msg + "; no repository was created"
}

// lostAnswer reports whether err is a connection closed after the request was sent and before
// any answer came (net/http reports it as EOF): the server got the request and may have acted.
func lostAnswer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// waitUntil polls Exists with backoff (0, 100 ms, 200 ms, … capped at 2 s) until it answers want
// or ctx ends; it returns how many polls it made and how many of them the API answered (with the
// other state than want).
func (d *deepRun) waitUntil(ctx context.Context, want bool) (polls, answered int, err error) {
	delay := time.Duration(0)
	for polls = 1; ; polls++ {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return polls - 1, answered, ctx.Err()
			case <-t.C:
			}
		}
		got, err := d.api.Exists(ctx, *d.repo)
		if err != nil {
			return polls, answered, err
		}
		if got == want {
			return polls, answered, nil
		}
		answered++
		delay = min(max(2*delay, 100*time.Millisecond), 2*time.Second)
	}
}

// timesText is "once", "twice" or "N times".
func timesText(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func (d *deepRun) delete(ctx context.Context) (Status, string) {
	err := d.api.Delete(ctx, *d.repo)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Scheduled {
		return Warn, fmt.Sprintf("%s (%s) is marked for deletion, not yet removed: %s", d.repo.FullName, d.leftURL(), apiErr.Msg)
	}
	if err != nil {
		return Fail, d.leftOver(d.describe(err, "deleting failed"))
	}
	if _, _, err := d.waitUntil(ctx, false); err != nil {
		return Fail, d.leftOver("the API accepted the deletion but still returns the repository (" + d.describe(err, "reading it back failed") + ")")
	}
	return Pass, fmt.Sprintf("deleted %s and confirmed it is gone", d.repo.FullName)
}

// leftOver is the message of a failed clean-up: it names the repository, its URL and the missing
// permission, so nothing is left behind silently.
func (d *deepRun) leftOver(why string) string {
	msg := fmt.Sprintf("%s; the repository %s is LEFT BEHIND at %s: delete it by hand", why, d.repo.FullName, d.leftURL())
	if perm := d.api.DeletePermission(); perm != "" {
		msg += ", and give the token " + perm + " so the check can clean up after itself"
	}
	return msg
}

func (d *deepRun) leftURL() string {
	if d.repo.WebURL != "" {
		return d.repo.WebURL
	}
	u, err := url.Parse(d.repo.CloneURL)
	if err != nil {
		return d.repo.FullName
	}
	u.User = nil
	return u.String()
}

// describe turns a repository API error into a sentence for the admin (stage redacts it).
func (d *deepRun) describe(err error, what string) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Error()
	}
	if msg := DescribeNetworkError(err, d.s.APIHost); msg != "" {
		return msg
	}
	return what + ": " + err.Error()
}
