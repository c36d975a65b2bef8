package testkit

import (
	"context"
	"strings"
	"sync"

	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/group"
)

// MaxBatch is the most ids one UsersByID call may ask for, as the account
// core's batched read allows.
const MaxBatch = 100

// Directory is an in-memory people directory for cores' unit tests that
// run without the account core: it implements group.People, notify.Names
// and the Name lookup the discussion and poll cores use, and counts its
// calls (cost tests check a page reads its people at once).
type Directory struct {
	mu      sync.Mutex
	byID    map[string]group.Person
	lookups int // UserByID calls
	batches int // UsersByID calls
}

// NewDirectory is an empty directory.
func NewDirectory() *Directory { return &Directory{byID: map[string]group.Person{}} }

// Add registers p (replacing any person with its id).
func (d *Directory) Add(p group.Person) {
	d.mu.Lock()
	d.byID[p.ID] = p
	d.mu.Unlock()
}

// User registers a person called name, with an id and an address made of
// name and tag (unique to the test), and returns a context acting as them
// (As) and the person.
func (d *Directory) User(name, tag string) (context.Context, group.Person) {
	local := strings.ToLower(strings.Join(strings.Fields(name), ""))
	p := group.Person{ID: "u" + local + tag, Name: name, Email: local + "." + tag + "@example.org"}
	d.Add(p)
	return As(p.ID), p
}

// Get returns the person with id.
func (d *Directory) Get(id string) (group.Person, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.byID[id]
	return p, ok
}

// Update changes the stored person with id (a no-op for an unknown id).
func (d *Directory) Update(id string, change func(*group.Person)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.byID[id]; ok {
		change(&p)
		d.byID[id] = p
	}
}

// Lookups is how many UserByID calls were made; Batches how many
// UsersByID calls. ResetCounts sets both to zero.
func (d *Directory) Lookups() int { d.mu.Lock(); defer d.mu.Unlock(); return d.lookups }

// Batches is how many UsersByID calls were made.
func (d *Directory) Batches() int { d.mu.Lock(); defer d.mu.Unlock(); return d.batches }

// ResetCounts forgets the calls counted so far.
func (d *Directory) ResetCounts() {
	d.mu.Lock()
	d.lookups, d.batches = 0, 0
	d.mu.Unlock()
}

// UserByID implements group.People: NotFound for an unknown id.
func (d *Directory) UserByID(_ context.Context, id string) (group.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lookups++
	if p, ok := d.byID[id]; ok {
		return p, nil
	}
	return group.Person{}, domain.Errorf(domain.NotFound, "not found")
}

// UsersByID implements group.People: the known people among ids, at most
// MaxBatch ids a call.
func (d *Directory) UsersByID(_ context.Context, ids []string) (map[string]group.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(ids) > MaxBatch {
		return nil, domain.Errorf(domain.Invalid, "at most 100 at a time")
	}
	d.batches++
	out := map[string]group.Person{}
	for _, id := range ids {
		if p, ok := d.byID[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// Names implements notify.Names: the names of the known people among ids.
func (d *Directory) Names(_ context.Context, ids []string) (map[string]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		if p, ok := d.byID[id]; ok && p.Name != "" {
			out[id] = p.Name
		}
	}
	return out, nil
}

// Name is the name of id ("" when unknown).
func (d *Directory) Name(_ context.Context, id string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.byID[id].Name
}

// UserIDByEmail implements group.People (letter case ignored).
func (d *Directory) UserIDByEmail(_ context.Context, email string) (string, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.byID {
		if strings.EqualFold(p.Email, email) {
			return p.ID, true, nil
		}
	}
	return "", false, nil
}
