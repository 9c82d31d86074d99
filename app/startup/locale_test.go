package startup

import (
	"os"
	"testing"
)

func TestCLocale(t *testing.T) {
	for loc, want := range map[string]bool{
		"C.UTF-8": true, "C.utf8": true, "POSIX.UTF-8": true, "C@euro": true,
		"C": false, "POSIX": false, "": false, "en_US.UTF-8": false, "Ca.UTF-8": false, "fr_CA": false,
	} {
		if got := cLocale(loc); got != want {
			t.Errorf("cLocale(%q) = %v, want %v", loc, got, want)
		}
	}
}

// TestRestore: what init set is removed again, and only that.
func TestRestore(t *testing.T) {
	t.Setenv("LANGUAGE", "en")
	languageSet = true
	Restore()
	if _, ok := os.LookupEnv("LANGUAGE"); ok || languageSet {
		t.Error("LANGUAGE set by init is still there after Restore")
	}
	t.Setenv("LANGUAGE", "fr")
	Restore()
	if os.Getenv("LANGUAGE") != "fr" {
		t.Error("Restore removed the user's LANGUAGE")
	}
}
