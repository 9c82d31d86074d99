package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/testpeer"
)

// lockedKeychainRole: the child opens the real window while the login
// keyring is locked, and unlocks it when the parent creates the file
// named by its argument (the user typing the password into the prompt).
const lockedKeychainRole = "window-locked-keychain"

// TestKeychainWaitIsShown: with the keychain present but locked, the window
// app shows "waiting for the keychain to be unlocked" in a window of its
// own and does not open the main window (which would hold keys from the
// plain file); once the keychain is unlocked the note goes and the main
// window opens.
func TestKeychainWaitIsShown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb, a D-Bus session bus, gnome-keyring and the real window")
	}
	testpeer.RequireBinaries(t, "Xvfb", "xdotool", "gnome-keyring-daemon")
	display := testpeer.StartXvfb(t)
	wrapper, env := testpeer.PrivateSessionBus(t)
	unlock := filepath.Join(t.TempDir(), "unlock")
	cmd := testpeer.Child{Role: lockedKeychainRole, Args: []string{unlock}, Wrapper: wrapper,
		Env: append(env, "DISPLAY="+display, "LIBGL_ALWAYS_SOFTWARE=1", "LANG=en_US.UTF-8",
			profile.ConfigDirEnv+"="+t.TempDir(), EnvQuitAfter+"=20s")}.Command()
	var out testpeer.LockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the bus and keyring daemons end with it
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	// xdotool matches names as ASCII regular expressions: the parts after
	// the title's dash.
	note, main := profile.KeychainWaitNote, "Local preview"
	if !waitWindows(display, note, true, done) {
		t.Fatalf("no window %q:\n%s", note, out.String())
	}
	if ids := searchWindows(display, main); len(ids) > 0 {
		t.Fatalf("the main window opened while the keychain was locked")
	}
	if err := os.WriteFile(unlock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if !waitWindows(display, main, true, done) || !waitWindows(display, note, false, done) {
		t.Fatalf("after the unlock: main window %v, note %v:\n%s", searchWindows(display, main),
			searchWindows(display, note), out.String())
	}
}

// searchWindows returns the visible windows whose name contains name.
func searchWindows(display, name string) []string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output() // exit status 1: none
	return strings.Fields(string(out))
}

// waitWindows waits (30 s at most, or until the child exits) until a
// window named name is visible (present) or none is (!present).
func waitWindows(display, name string, present bool, exited <-chan struct{}) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if (len(searchWindows(display, name)) > 0) == present {
			return true
		}
		select {
		case <-exited:
			return false
		default:
		}
	}
	return false
}

// windowWithLockedKeychain is the child: gnome-keyring with its login
// keyring locked, the window app, and the unlock when the parent says.
func windowWithLockedKeychain() int {
	kr, err := testpeer.LaunchGnomeKeyring("golive-ui-test")
	if err == nil {
		err = kr.Lock()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "keychain:", err)
		return 1
	}
	defer kr.Close()
	flag := testpeer.ChildArgs()[0]
	stop := make(chan struct{})
	defer close(stop)
	// Ends with the window app (stop) or once it has unlocked.
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := os.Stat(flag); err == nil {
				if err := kr.Unlock(); err != nil {
					fmt.Fprintln(os.Stderr, "unlock:", err)
				}
				return
			}
		}
	}()
	if err := Run(Options{ConfigDir: os.Getenv(profile.ConfigDirEnv)}); err != nil {
		fmt.Fprintln(os.Stderr, "golive window:", err)
		return 1
	}
	return 0
}
