package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layerRules are the import rules of ARCHITECTURE.md: for each package
// pattern, what none of its dependencies (direct or not) may be.
var layerRules = []struct {
	pkgs      string
	forbidden []string
	// allowed are exceptions to forbidden (the pure-Go configuration leaves).
	allowed []string
	why     string
}{
	{"golive/outputs/rtmpurl", []string{"golive/", "github.com/", "fyne.io/"}, nil,
		"configuration leaves import only the standard library"},
	{"golive/outputs/rtptarget", []string{"golive/", "github.com/", "fyne.io/"}, nil,
		"configuration leaves import only the standard library"},
	{"golive/outputs/srturl", []string{"golive/", "github.com/", "fyne.io/"}, nil,
		"configuration leaves import only the standard library"},
	{"golive/outputs/whipurl", []string{"golive/", "github.com/", "fyne.io/"}, nil,
		"configuration leaves import only the standard library"},
	{"golive/app/profile", []string{"github.com/asticode/go-astiav", "github.com/gen2brain/malgo", "fyne.io/",
		"golive/media/", "golive/outputs/", "golive/app/session", "golive/app/ui"},
		[]string{"golive/outputs/rtmpurl", "golive/outputs/rtptarget", "golive/outputs/srturl", "golive/outputs/whipurl"},
		"profiles are read and validated in pure Go"},
	{"golive/app/benchmark/...", []string{"github.com/asticode/go-astiav", "github.com/gen2brain/malgo", "fyne.io/"}, nil,
		"the benchmark drives the golive binary and links no capture code"},
	{"golive/media/...", []string{"golive/outputs/", "golive/app/", "fyne.io/"}, nil,
		"media imports neither outputs nor app"},
	{"golive/outputs/...", []string{"golive/app/", "fyne.io/"}, nil, "outputs never import app"},
}

// TestLayers: `go list -deps` of each package group holds none of the
// packages its layer must not depend on (go-astiav, malgo, Fyne, upper
// layers; the package itself may match its own pattern); only app/ui
// imports Fyne; configuration and parsing are pure Go.
func TestLayers(t *testing.T) {
	t.Run("only app/ui imports Fyne", checkOnlyUIImportsFyne)
	t.Run("configuration is pure Go", checkConfigurationIsPureGo)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	for _, r := range layerRules {
		out, err := exec.Command("go", "list", "-tags", "migrated_fynedo", "-deps", "-f",
			"{{if not .Standard}}{{.ImportPath}}{{end}}", r.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkgs, err, out)
		}
		own := strings.TrimSuffix(r.pkgs, "...")
		deps := strings.Fields(string(out))
		if len(deps) == 0 {
			t.Errorf("go list -deps %s: no packages", r.pkgs)
		}
		for _, d := range deps {
			if d == own || strings.HasPrefix(d, own) || slices.Contains(r.allowed, d) {
				continue
			}
			for _, f := range r.forbidden {
				if d == f || strings.HasPrefix(d, f) {
					t.Errorf("%s depends on %s: %s", r.pkgs, d, r.why)
				}
			}
		}
	}
}
