package agent

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSaveStateModesAndRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "agent")
	path := filepath.Join(dir, "state.json")
	want := enrolledState()
	if err := saveState(path, want); err != nil {
		t.Fatal(err)
	}
	if mode := statMode(t, path); mode != 0o600 {
		t.Errorf("state file mode %04o, want 0600", mode)
	}
	if mode := statMode(t, dir); mode != 0o700 {
		t.Errorf("state directory mode %04o, want 0700", mode)
	}
	got, ok, err := loadState(path)
	if err != nil || !ok {
		t.Fatalf("loadState: ok %v, err %v", ok, err)
	}
	if got != want {
		t.Errorf("loaded %+v, want %+v", got, want)
	}
	if _, err := got.key(); err != nil {
		t.Errorf("key of a saved state: %v", err)
	}
}

func TestSaveStateReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	// An older file with a loose mode is replaced, not rewritten in place:
	// the new file has its own mode.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := enrolledState()
	st.NetworkID = "net-1"
	if err := saveState(path, st); err != nil {
		t.Fatal(err)
	}
	if mode := statMode(t, path); mode != 0o600 {
		t.Errorf("replaced state file mode %04o, want 0600", mode)
	}
	got, _, err := loadState(path)
	if err != nil || got.NetworkID != "net-1" {
		t.Fatalf("after replace: %+v, %v", got, err)
	}
	assertOnlyFile(t, dir, "state.json")

	// A rename that fails (here over a non-empty directory, which fails even
	// for root) leaves no temporary file behind.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := saveState(blocked, st); err == nil {
		t.Fatal("saveState over a non-empty directory succeeded")
	}
	if err := os.RemoveAll(blocked); err != nil {
		t.Fatal(err)
	}
	assertOnlyFile(t, dir, "state.json")

	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories; the failure half cannot run")
	}
	// A save that cannot complete leaves the old file whole and no temporary file.
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	st.NetworkID = "net-2"
	if err := saveState(path, st); err == nil {
		t.Fatal("saveState into a read-only directory succeeded")
	}
	got, _, err = loadState(path)
	if err != nil || got.NetworkID != "net-1" {
		t.Fatalf("after a failed save: %+v, %v", got, err)
	}
	assertOnlyFile(t, dir, "state.json")
}

func TestLoadStateRefusesExposedFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o660} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := saveState(path, enrolledState()); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := loadState(path)
		if !errors.Is(err, ErrStateExposed) {
			t.Errorf("mode %04o: err %v, want ErrStateExposed", mode, err)
			continue
		}
		if !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: error %q does not say what to do", mode, err)
		}
		if _, err := NewClient(testServer, nil, path); !errors.Is(err, ErrStateExposed) {
			t.Errorf("mode %04o: NewClient err %v, want ErrStateExposed", mode, err)
		}
	}
}

func TestLoadStateMissingIsNotEnrolled(t *testing.T) {
	c, err := NewClient(testServer, nil, filepath.Join(t.TempDir(), "none", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status().Enrolled() {
		t.Error("enrolled without a state file")
	}
}

func TestNewClientChecksState(t *testing.T) {
	mismatch := enrolledState()
	mismatch.PublicKey = encodeKey(make([]byte, 32))
	badSeed := enrolledState()
	badSeed.Seed = "c2hvcnQ="
	otherServer := enrolledState()
	otherServer.Server = "https://elsewhere.test"
	for name, tc := range map[string]struct {
		st   state
		want error
	}{
		"key mismatch":   {mismatch, nil},
		"short seed":     {badSeed, nil},
		"other server":   {otherServer, ErrServerMismatch},
		"trailing slash": {enrolledState(), nil},
	} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := saveState(path, tc.st); err != nil {
			t.Fatal(err)
		}
		base := testServer
		if name == "trailing slash" {
			base += "/"
		}
		_, err := NewClient(base, nil, path)
		switch {
		case name == "trailing slash":
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case err == nil:
			t.Errorf("%s: NewClient accepted the state", name)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: err %v, want %v", name, err, tc.want)
		}
	}
}

func TestStateLogValueHidesSeed(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "state", enrolledState())
	if seed := enrolledState().Seed; strings.Contains(b.String(), seed) {
		t.Errorf("log line %q contains the seed", b.String())
	}
}

func statMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only %s", names, name)
	}
}
