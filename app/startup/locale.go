// Package startup holds what must happen before the other packages of
// the golive binary initialise. Only package main imports it, first.
//
// Fyne's lang package reads the locale in its init function, before main
// runs: under LANG=C.UTF-8 (Debian's default) it takes "C" for a language
// tag, fails to parse it and prints "Fyne error: Error parsing user locale
// C" on every command. Go initialises a package once the packages it
// imports are (by import path order among the ready ones, Go 1.21): this
// package imports only os and strings, which Fyne's lang package needs
// too, so it runs first.
package startup

import (
	"os"
	"strings"
)

// languageSet records that init set LANGUAGE, for Restore.
var languageSet bool

func init() {
	if !cLocale(effectiveLocale()) || os.Getenv("LANGUAGE") != "" {
		return
	}
	// The C locale's messages are English: naming it "en" for the locale
	// readers (github.com/jeandeaual/go-locale reads LANGUAGE when the
	// locale is not exactly C or POSIX) changes no message.
	languageSet = os.Setenv("LANGUAGE", "en") == nil
}

// Restore undoes init's change once the libraries have read the locale,
// so that the process and its children see the user's environment.
func Restore() {
	if languageSet {
		_ = os.Unsetenv("LANGUAGE")
		languageSet = false
	}
}

// effectiveLocale is the locale of messages, as POSIX resolves it.
func effectiveLocale() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return ""
}

// cLocale reports whether loc is the C or POSIX locale with a codeset or
// modifier (C.UTF-8, C.utf8, POSIX.UTF-8@euro), which locale readers take
// for a language named "C".
func cLocale(loc string) bool {
	lang, _, _ := strings.Cut(loc, ".")
	lang, _, _ = strings.Cut(lang, "@")
	return (lang == "C" || lang == "POSIX") && lang != loc
}
