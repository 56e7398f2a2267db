package config

import (
	"context"
	"fmt"
	"reflect"
)

// Update runs a read-modify-write under the store's exclusive lock. base is the revision the
// caller's edit started from; if the store has moved on since, nothing is written and a
// KindConflict error is returned. base AnyRevision means "apply to whatever is current" (the edit
// function then sees the current content, so no update is lost). who and action go to the audit
// trail, with the names of the fields that changed. It returns the saved content.
func (s *Store) Update(ctx context.Context, who string, action Action, base int64, edit func(*Data) error) (*Data, error) {
	return s.update(ctx, who, action, func(cur *Data) error {
		if base != AnyRevision && cur.Revision != base {
			return conflictError(base, cur.Revision)
		}
		return nil
	}, edit)
}

// UpdateProvider is Update for an edit of one provider that started at revision base: it
// conflicts only when that provider's settings changed (or it was removed) after base, so admins
// editing different providers at the same time never get in each other's way.
func (s *Store) UpdateProvider(ctx context.Context, who string, action Action, id string, base int64, edit func(*Data) error) (*Data, error) {
	return s.update(ctx, who, action, func(cur *Data) error {
		if p := cur.Credentials[id]; p != nil && p.Revision > base {
			return providerConflictError(id, base, p.Revision)
		}
		if cur.Credentials[id] == nil && removedAfter(cur, id, base) {
			return providerConflictError(id, base, cur.Revision)
		}
		return nil
	}, edit)
}

// removedAfter reports whether the audit trail shows provider id removed after revision base.
func removedAfter(d *Data, id string, base int64) bool {
	for _, e := range d.Audit {
		if e.Credential == id && e.Action == ActionRemove && e.Revision > base {
			return true
		}
	}
	return false
}

func (s *Store) update(ctx context.Context, who string, action Action, check func(cur *Data) error, edit func(*Data) error) (*Data, error) {
	s.saving.RLock()
	defer s.saving.RUnlock()
	if s.drained {
		return nil, &Error{Kind: KindIO, Path: s.dir, Msg: "gitopscfg is shutting down; nothing was saved"}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.removeStaleTemps()
	cur, err := s.loadCurrent()
	if err != nil {
		return nil, err
	}
	if err := check(cur); err != nil {
		return nil, err
	}
	next := cur.Clone()
	next.migratedFrom = 0
	if err := edit(next); err != nil {
		return nil, err
	}
	next.Version = schemaVersion
	next.Revision = cur.Revision + 1
	next.dropStaleChecks(cur)
	if err := next.validate(); err != nil {
		return nil, fmt.Errorf("refusing to save a store that could not be read back; nothing was changed: %w", err)
	}
	next.audit(cur, who, action, s.now().UTC())
	if cur.migratedFrom != 0 {
		if err := s.keepSchemaBackup(cur.migratedFrom); err != nil {
			return nil, err
		}
	}
	// A save that only records check results changes no settings: the backup keeps the store as
	// it was before the last change of settings, which a re-test from cron every few minutes
	// would otherwise push out at once.
	if err := s.write(next, !onlyChecksChanged(cur, next)); err != nil {
		return nil, err
	}
	return next, nil
}

// onlyChecksChanged reports whether next differs from cur in nothing but the check records
// (credentials' and platform instances') and the revision.
func onlyChecksChanged(cur, next *Data) bool {
	return reflect.DeepEqual(withoutChecks(cur), withoutChecks(next))
}

// withoutChecks is a shallow copy of d without its check records and revision.
func withoutChecks(d *Data) *Data {
	c := *d
	c.Revision = 0
	c.Credentials = make(map[string]*Credential, len(d.Credentials))
	for k, p := range d.Credentials {
		if p != nil {
			cp := *p
			cp.LastCheck, cp.LastDeep = nil, nil
			p = &cp
		}
		c.Credentials[k] = p
	}
	c.Platforms = make(map[string]map[string]*Platform, len(d.Platforms))
	for kind, byName := range d.Platforms {
		c.Platforms[kind] = make(map[string]*Platform, len(byName))
		for name, p := range byName {
			cp := *p
			cp.LastCheck = nil
			c.Platforms[kind][name] = &cp
		}
	}
	return &c
}
