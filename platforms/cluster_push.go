package platforms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gitopscfg/platforms/kube"
	"gitopscfg/providers"
)

// ObjectResult is one object a push to a cluster applied and what became of it.
type ObjectResult struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Action is "created", "updated" or "unchanged" (it already held what is stored: nothing sent).
	Action string `json:"action"`
}

// The actions of an ObjectResult.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// Deliver applies what the platform's export renders for c (the Secret, and Argo CD's
// argocd-tls-certs-cm entry for a private CA) with server-side apply as FieldManager, then reads
// each object back. An object that already holds what is stored is left alone (one read). Fields
// another field manager changed make the push refuse, naming it, unless o.Force: then they are
// taken back and the result says from whom. With o.Keep, the orphans (see Compare) of credentials
// not in it are deleted after. An answer of the cluster that refuses (RBAC, a conflict, no such
// namespace) is a Refused outcome; no answer at all is the error.
func (k *Cluster) Deliver(ctx context.Context, c providers.Credentials, o PushOptions) (res PushResult, err error) {
	start, before := time.Now(), k.Requests()
	res = PushResult{Provider: c.Provider, Target: k.clusterTarget(), Stages: []Stage{}, Warnings: []string{}}
	emit := func(phase, msg string) {
		if o.Progress != nil {
			o.Progress(Event{Phase: phase, Elapsed: time.Since(start), Message: msg})
		}
	}
	defer func() {
		res.DurationMS, res.Requests = time.Since(start).Milliseconds(), k.Requests()-before
		res.Message = k.client.Redact(res.Message)
		if err != nil {
			err = &pushError{msg: k.client.Redact(err.Error()), err: err, cancelled: ctx.Err() != nil}
		}
		emit("done", string(res.Outcome))
	}()
	objs, err := k.render(ctx, c)
	if err != nil {
		return res, err
	}
	for _, want := range objs {
		emit("send", "applying "+objectName(want))
		if err := k.applyOne(ctx, want, o.Force, &res); err != nil {
			res.Stages = append(res.Stages, Stage{Name: objectName(want), Message: "not applied"})
			return k.refusedOr(res, err)
		}
	}
	if o.Keep != nil {
		emit("prune", "deleting the Secrets of credentials no longer stored")
		pruned, err := k.prune(ctx, o.Keep, c.CredentialName(), objs)
		res.Pruned = pruned
		for _, p := range pruned {
			res.Stages = append(res.Stages, Stage{Name: "Secret " + p.Namespace + "/" + p.Name, OK: true, Message: "pruned: its credential " + p.Credential + " is no longer stored"})
		}
		if err != nil {
			res.Stages = append(res.Stages, Stage{Name: "prune", Message: "stopped"})
			return k.refusedOr(res, err)
		}
	}
	res.Outcome, res.Message = Saved, k.pushMessage(res)
	return res, nil
}

// refusedOr ends a push that failed: an answer of the cluster is a refusal, no answer the error.
func (k *Cluster) refusedOr(res PushResult, err error) (PushResult, error) {
	var ae *kube.APIError
	if errors.As(err, &ae) && ae.Status != 0 {
		res.Outcome, res.Message = Refused, err.Error()
		return res, nil
	}
	res.Outcome = OutcomeUnknown
	return res, err
}

// applyOne applies want unless the cluster holds it already, records what it did in res and
// reads it back.
func (k *Cluster) applyOne(ctx context.Context, want kube.Object, force bool, res *PushResult) error {
	got, err := k.client.Get(ctx, want.Metadata.Namespace, want.Kind, want.Metadata.Name)
	action := ActionCreated
	var diffs []difference
	switch {
	case errors.Is(err, kube.ErrNotFound):
	case err != nil:
		return err
	default:
		if diffs = differences(want, got); len(diffs) == 0 {
			res.record(want, ActionUnchanged)
			return nil
		}
		action = ActionUpdated
	}
	if _, err := k.client.Apply(ctx, want, FieldManager, force); err != nil {
		return k.applyError(want, err, res)
	}
	if force {
		for _, d := range diffs {
			for _, m := range d.owners {
				res.TookBack = append(res.TookBack, kube.Conflict{Manager: m, Field: "." + strings.Join(d.path, ".")})
			}
		}
	}
	back, err := k.client.Get(ctx, want.Metadata.Namespace, want.Kind, want.Metadata.Name)
	if err != nil {
		return fmt.Errorf("applied %s, but reading it back failed: %w", objectName(want), err)
	}
	if d := differences(want, back); len(d) > 0 {
		return fmt.Errorf("applied %s, but reading it back shows other values for %s", objectName(want), fieldNames(d))
	}
	res.record(want, action)
	return nil
}

// record notes what became of the object o, as an object and as a stage of the text output.
func (r *PushResult) record(o kube.Object, action string) {
	r.Objects = append(r.Objects, ObjectResult{Kind: o.Kind, Namespace: o.Metadata.Namespace, Name: o.Metadata.Name, Action: action})
	r.Stages = append(r.Stages, Stage{Name: objectName(o), OK: true, Message: action})
}

// applyError words a refused apply: the conflicting managers, a missing namespace, RBAC.
func (k *Cluster) applyError(want kube.Object, err error, res *PushResult) error {
	var ae *kube.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Reason == kube.ReasonConflict && len(ae.Conflicts) > 0:
		res.Conflicts = ae.Conflicts
		var fields []string
		for _, c := range ae.Conflicts {
			fields = append(fields, c.Field)
		}
		return &kube.APIError{Status: ae.Status, Reason: ae.Reason, Conflicts: ae.Conflicts, Msg: fmt.Sprintf(
			"%s was changed by another field manager (%s: %s): nothing was applied over it; push with --force to take the fields back",
			objectName(want), strings.Join(ae.Managers(), ", "), strings.Join(fields, ", "))}
	case ae.Reason == kube.ReasonNotFound && ae.Kind == "namespaces":
		return &kube.APIError{Status: ae.Status, Reason: ae.Reason, Msg: fmt.Sprintf(
			"the namespace %s does not exist in the cluster: create it (%s reads its Secrets from its own namespace), or set the instance's --namespace", k.ns, k.spec.Name)}
	}
	return &kube.APIError{Status: ae.Status, Reason: ae.Reason, Msg: "apply " + objectName(want) + ": " + ae.Msg}
}

func fieldNames(d []difference) string {
	names := make([]string, len(d))
	for i, x := range d {
		names[i] = x.field
	}
	return strings.Join(names, ", ")
}

// pushMessage says what a push did, for the text output.
func (k *Cluster) pushMessage(res PushResult) string {
	var parts []string
	changed := false
	for _, o := range res.Objects {
		parts = append(parts, fmt.Sprintf("%s %s/%s %s", o.Kind, o.Namespace, o.Name, o.Action))
		changed = changed || o.Action != ActionUnchanged
	}
	msg := strings.Join(parts, "; ")
	if !changed {
		msg += ": the cluster already held what is stored, nothing was applied"
	} else {
		msg += ", applied as field manager " + FieldManager + " and read back"
	}
	if len(res.Pruned) > 0 {
		msg += fmt.Sprintf("; pruned %d Secret%s of credentials no longer stored", len(res.Pruned), map[bool]string{true: "s"}[len(res.Pruned) > 1])
	}
	if len(res.TookBack) > 0 {
		var took []string
		for _, t := range res.TookBack {
			took = append(took, t.Field+" from "+t.Manager)
		}
		msg += "; took back " + strings.Join(took, ", ")
	}
	return msg
}
