package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/app/profile"
)

// TestExportSRTSecretsCLI: `golive profile export` without --with-keys
// writes neither the SRT passphrase nor the stream id password (in any
// form), names the destination on standard error, and `golive live` of
// the imported profile says which destination lacks what; --with-keys
// round-trips both.
func TestExportSRTSecretsCLI(t *testing.T) {
	const pass, idPass = "Srt&PassPhrase/2026", "IdPassw0rd%2F+Zq"
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p", "source=test", "audio=test")
	id := url.QueryEscape("publish:live/cam:alice:" + idPass)
	h.ok(pass+"\n", "add-dest", "p", "--srt", "srt://127.0.0.1:9000?streamid="+id, "--key", "-", "--name", "SRT cam")
	shared, private := filepath.Join(h.dir, "share.json"), filepath.Join(h.dir, "private.json")
	_, stderr, err := h.run("", "export", "p", shared)
	if err != nil || !strings.Contains(stderr, "set them again for: SRT cam (passphrase, stream id password)") {
		t.Fatalf("export: %v, stderr %q", err, stderr)
	}
	data, _ := os.ReadFile(shared)
	for _, s := range []string{pass, idPass} {
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if strings.Contains(strings.ToLower(string(data)), strings.ToLower(form)) {
				t.Fatalf("export holds %q:\n%s", form, data)
			}
		}
	}
	requireFileMode(t, shared)
	h.ok("", "export", "p", private, "--with-keys")
	requireFileMode(t, private)
	_, stderr, err = h.run("", "import", shared, "--name", "Shared")
	if err != nil || !strings.Contains(stderr, "without secrets for: SRT cam (passphrase, stream id password)") {
		t.Fatalf("import: %v, stderr %q", err, stderr)
	}
	env, _, errb := testEnv()
	env.ConfigDir, env.Keyring = h.dir, h.kr
	code := Main(context.Background(), []string{"live", "--profile", "Shared", "--duration", "1s"}, env)
	t.Logf("golive live of the shared import: %s", errb.String())
	want := `"SRT cam": srt.url: the passphrase and stream id password were left out when this profile was exported`
	if code != ExitUsage || !strings.Contains(errb.String(), want) {
		t.Fatalf("golive live of the shared import: exit %d, stderr %q; want exit 2 and %q", code, errb.String(), want)
	}
	h.ok("", "import", private, "--name", "Private")
	st := &profile.Store{Dir: h.dir, Keyring: h.kr}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p, err := st.Get("Private")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := p.Destination("SRT cam")
	if d.SRT.Key != pass || d.SRT.URL != "srt://127.0.0.1:9000?streamid="+id || p.ValidateForLive() != nil {
		t.Fatalf("--with-keys import: secrets not restored (%t, %t) or cannot go live: %v",
			d.SRT.Key == pass, d.SRT.URL == "srt://127.0.0.1:9000?streamid="+id, p.ValidateForLive())
	}
}

func requireFileMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: mode %o; want 600", path, fi.Mode().Perm())
	}
}
