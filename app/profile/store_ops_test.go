package profile

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestOperations(t *testing.T) {
	s, _ := openStore(t, t.TempDir(), &MemoryKeyring{})
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(p); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate Add: %v", err)
	}
	lower := p
	lower.Name = strings.ToUpper(p.Name)
	if err := s.Add(lower); !errors.Is(err, ErrExists) {
		t.Fatalf("case-insensitive duplicate Add: %v", err)
	}
	if err := s.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(p.Name, "Local preview"); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto existing: %v", err)
	}
	if err := s.Rename(p.Name, "Show"); err != nil {
		t.Fatal(err)
	}
	if s.Selected() != "Show" {
		t.Fatalf("selection not renamed: %q", s.Selected())
	}
	if _, err := s.Get(p.Name); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Show") {
		t.Fatalf("Get old name: %v", err)
	}
	show, _ := s.Get("show") // case-insensitive lookup
	show.Name = "Show 2"
	if err := s.Update("Show", show); err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"Local preview", "Show 2"}) {
		t.Fatalf("names = %v", got)
	}
	if err := s.Delete("Show 2"); err != nil {
		t.Fatal(err)
	}
	if s.Selected() != "Local preview" {
		t.Fatalf("selected after delete = %q", s.Selected())
	}
	bad := fullProfile()
	bad.Encoder.FPS = 0
	err := s.Put(bad)
	if fe := FieldErrors(err); len(fe) != 1 || fe[0].Field != "encoder.fps" {
		t.Fatalf("Put invalid: %v", err)
	}
}

func TestTwoStoresDoNotClobber(t *testing.T) {
	dir := t.TempDir()
	a, _ := openStore(t, dir, nil)
	b, _ := openStore(t, dir, nil)
	done := make(chan error, 2)
	for i, s := range []*Store{a, b} {
		go func() {
			for j := 0; j < 10; j++ {
				p := DefaultProfile()
				p.Name = string(rune('A'+i)) + "-" + string(rune('0'+j))
				if err := s.Add(p); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c, _ := openStore(t, dir, nil)
	if n := len(c.Names()); n != 21 {
		t.Fatalf("%d profiles, want 21: %v", n, c.Names())
	}
	// a's in-memory view catches up with b's writes.
	if n := len(a.Names()); n != 21 {
		t.Fatalf("store a sees %d profiles", n)
	}
}

func TestLockedByAnotherInstance(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	release, err := acquireLock(dir) // another instance in the middle of a save
	if err != nil {
		t.Fatal(err)
	}
	old := lockWait
	lockWait = 100 * time.Millisecond
	defer func() { lockWait = old }()
	err = s.Add(fullProfile())
	want := fmt.Sprintf("profiles file is locked by another GoLive instance (pid %d)", os.Getpid())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Add while locked = %v", err)
	}
	release()
	if err := s.Add(fullProfile()); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
