package desktop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const pkgID = "io.golive.app"

// TestDebianPackage builds the package (make package), installs it with
// apt-get, runs `golive devices` from PATH, validates the installed
// desktop entry and AppStream metainfo, and removes it again: nothing of
// it may stay behind. It needs root (CI runs as root; elsewhere it skips).
func TestDebianPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and installs the package")
	}
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the package test installs with apt-get: CI must run it as root")
		}
		t.Skip("not root: apt-get install needs it")
	}
	if out, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", "golive").Output(); strings.Contains(string(out), "installed") {
		t.Skip("a golive package is installed on this machine already: the test would remove it")
	}
	root := repoRoot(t)
	run(t, root, 20*time.Minute, "make", "package")
	version := fyneVersion(t, root)
	deb := filepath.Join(root, "dist", "golive_"+version+"_amd64.deb")
	checkDepends(t, run(t, root, time.Minute, "dpkg-deb", "-f", deb, "Depends"))

	t.Cleanup(func() { _ = exec.Command("apt-get", "remove", "-y", "-qq", "golive").Run() })
	out := run(t, root, 10*time.Minute, "apt-get", "install", "-y", "--no-install-recommends",
		"-o", "DPkg::Lock::Timeout=300", "./dist/golive_"+version+"_amd64.deb")
	checkNewPackages(t, out)
	files := strings.Fields(run(t, root, time.Minute, "dpkg", "-L", "golive"))

	path, err := exec.LookPath("golive")
	if err != nil || path != "/usr/bin/golive" {
		t.Fatalf("golive on PATH: %q, %v", path, err)
	}
	devices := run(t, t.TempDir(), time.Minute, "golive", "devices")
	if !strings.Contains(devices, "Encoders") || !strings.Contains(devices, "libx264") {
		t.Errorf("golive devices printed:\n%s", devices)
	}
	if v := run(t, root, time.Minute, "golive", "version"); !strings.Contains(v, version) {
		t.Errorf("golive version: %q, want %s", v, version)
	}
	run(t, root, time.Minute, "desktop-file-validate", "/usr/share/applications/"+pkgID+".desktop")
	run(t, root, time.Minute, "appstreamcli", "validate", "--no-net", "/usr/share/metainfo/"+pkgID+".metainfo.xml")
	for _, size := range []string{"48x48", "128x128", "256x256"} {
		if _, err := os.Stat("/usr/share/icons/hicolor/" + size + "/apps/" + pkgID + ".png"); err != nil {
			t.Errorf("icon %s: %v", size, err)
		}
	}

	run(t, root, 5*time.Minute, "apt-get", "remove", "-y", "-o", "DPkg::Lock::Timeout=300", "golive")
	st, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", "golive").Output()
	if strings.Contains(string(st), "installed") || strings.Contains(string(st), "config-files") {
		t.Errorf("after apt-get remove, dpkg says %q", st)
	}
	for _, f := range files {
		if fi, err := os.Lstat(f); err == nil && !fi.IsDir() {
			t.Errorf("%s is left behind after apt-get remove", f)
		}
	}
	t.Logf("installed %d paths, removed them; %s", len(files), strings.TrimSpace(devices[:min(len(devices), 200)]))
}

// checkDepends wants the FFmpeg libraries and no development package.
func checkDepends(t *testing.T, depends string) {
	t.Helper()
	t.Logf("Depends: %s", strings.TrimSpace(depends))
	for _, lib := range []string{"libavcodec", "libavformat", "libavfilter", "libswscale"} {
		if !strings.Contains(depends, lib) {
			t.Errorf("Depends lacks %s", lib)
		}
	}
	if strings.Contains(depends, "-dev") || strings.Contains(depends, "pipewire") {
		t.Errorf("Depends names a development package or PipeWire (loaded at run time): %s", depends)
	}
}

// checkNewPackages wants apt-get to have installed golive and at most
// runtime libraries.
func checkNewPackages(t *testing.T, out string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)The following NEW packages will be installed:\n(.*?)\n\S`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("apt-get did not install anything new:\n%s", out)
	}
	pkgs := strings.Fields(m[1])
	t.Logf("apt-get installed: %v", pkgs)
	for _, p := range pkgs {
		if p != "golive" && (!strings.HasPrefix(p, "lib") || strings.HasSuffix(p, "-dev")) {
			t.Errorf("apt-get pulled %s: only golive and runtime libraries are expected", p)
		}
	}
}

func run(t *testing.T, dir string, limit time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "FyneApp.toml")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	return root
}

func fyneVersion(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version\s*=\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	return string(m[1])
}
