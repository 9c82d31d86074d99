package main

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// goPackage is what `go list -json` says of a package that the rules
// below need.
type goPackage struct {
	ImportPath   string
	Standard     bool
	CgoFiles     []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// goList runs `go list -json` (with the build tag) on the patterns.
func goList(t *testing.T, args ...string) []goPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	cmd := exec.Command("go", append([]string{"list", "-tags", "migrated_fynedo", "-json"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []goPackage
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v: no packages", args)
	}
	return pkgs
}

// fyneHomes may depend on Fyne: app/ui imports it, main runs app/ui.
var fyneHomes = []string{"golive", "golive/app/ui"}

// fyneBreaches lists the rule "only app/ui imports Fyne" broken by pkgs:
// a Fyne import (its tests' imports included) outside app/ui, or a
// package other than main and app/ui that links Fyne at all.
func fyneBreaches(pkgs []goPackage) []string {
	var bad []string
	for _, p := range pkgs {
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			if strings.HasPrefix(imp, "fyne.io/") && p.ImportPath != "golive/app/ui" {
				bad = append(bad, p.ImportPath+" imports "+imp)
			}
		}
		if slices.Contains(fyneHomes, p.ImportPath) {
			continue
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "fyne.io/") {
				bad = append(bad, p.ImportPath+" links "+d)
				break
			}
		}
	}
	return bad
}

// cgoOnly are the modules that make a package need cgo (FFmpeg, the
// audio devices) or a display (Fyne).
var cgoOnly = []string{"github.com/asticode/go-astiav", "github.com/gen2brain/malgo", "fyne.io/"}

// impureDeps lists what makes a package's build not pure Go: a
// dependency from cgoOnly, or any non-standard package with cgo files.
func impureDeps(p goPackage, deps []goPackage) []string {
	var bad []string
	for _, d := range p.Deps {
		for _, f := range cgoOnly {
			if strings.HasPrefix(d, f) {
				bad = append(bad, d)
			}
		}
	}
	for _, d := range deps {
		if !d.Standard && len(d.CgoFiles) > 0 {
			bad = append(bad, d.ImportPath+" (cgo)")
		}
	}
	return bad
}

// checkOnlyUIImportsFyne: no package but app/ui imports fyne.io (its tests
// included), and nothing but main and app/ui links it.
func checkOnlyUIImportsFyne(t *testing.T) {
	for _, b := range fyneBreaches(goList(t, "./...")) {
		t.Errorf("%s: only app/ui imports Fyne (ARCHITECTURE.md)", b)
	}
}

// pureGoPackages read and check configuration: they build without cgo.
var pureGoPackages = []string{
	"golive/app/profile", "golive/app/secret",
	"golive/outputs/rtmpurl", "golive/outputs/srturl", "golive/outputs/whipurl", "golive/outputs/rtptarget",
	"golive/media/testpattern",
}

// checkConfigurationIsPureGo: `go list -deps` of the profile store and
// the URL/target parsers holds no go-astiav, malgo or Fyne, and no package
// outside the standard library with cgo files.
func checkConfigurationIsPureGo(t *testing.T) {
	for _, path := range pureGoPackages {
		p := goList(t, path)[0]
		deps := goList(t, "-deps", path)
		if len(p.Deps) == 0 || len(deps) < 2 {
			t.Errorf("%s: go list found no dependencies (%d)", path, len(deps))
		}
		for _, b := range impureDeps(p, deps) {
			t.Errorf("%s depends on %s: configuration and parsing are pure Go", path, b)
		}
	}
}

// TestLayerRulesCanFail feeds the two rules what a breach looks like.
func TestLayerRulesCanFail(t *testing.T) {
	pkgs := []goPackage{
		{ImportPath: "golive/app/ui", Imports: []string{"fyne.io/fyne/v2"}, Deps: []string{"fyne.io/fyne/v2"}},
		{ImportPath: "golive", Imports: []string{"golive/app/ui"}, Deps: []string{"fyne.io/fyne/v2", "golive/app/ui"}},
		{ImportPath: "golive/app/cli", XTestImports: []string{"fyne.io/fyne/v2/test"}},
		{ImportPath: "golive/app/session", Imports: []string{"golive/app/ui"}, Deps: []string{"fyne.io/fyne/v2/widget"}},
	}
	got := fyneBreaches(pkgs)
	want := []string{"golive/app/cli imports fyne.io/fyne/v2/test", "golive/app/session links fyne.io/fyne/v2/widget"}
	if !slices.Equal(got, want) {
		t.Errorf("fyneBreaches = %q, want %q", got, want)
	}
	p := goPackage{ImportPath: "golive/outputs/srturl", Deps: []string{"github.com/asticode/go-astiav", "net"}}
	deps := []goPackage{{ImportPath: "net", Standard: true, CgoFiles: []string{"cgo_linux.go"}},
		{ImportPath: "github.com/x/y", CgoFiles: []string{"y.go"}}}
	if got := impureDeps(p, deps); !slices.Equal(got, []string{"github.com/asticode/go-astiav", "github.com/x/y (cgo)"}) {
		t.Errorf("impureDeps = %q", got)
	}
}
