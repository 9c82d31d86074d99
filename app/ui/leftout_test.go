package ui

import (
	"testing"

	"golive/app/profile"
)

// TestLeftOutSecretsForPeople: a destination imported without the secrets
// an export left out shows "needs key", and the Go Live check names it and
// what it lacks, with the window's way to fix it (no command line).
func TestLeftOutSecretsForPeople(t *testing.T) {
	p := profile.DefaultProfile()
	p.Capture.Source = profile.SourceTest
	p.Destinations = append(p.Destinations, profile.Destination{Name: "SRT cam", Kind: profile.KindSRT, Enabled: true,
		SRT:            &profile.SRT{URL: "srt://127.0.0.1:9000?streamid=publish:cam:u:" + profile.SecretLeftOut},
		SecretsLeftOut: []string{profile.LeftOutKey, profile.LeftOutURL}})
	if !needsKey(p.Destinations[1]) || needsKey(p.Destinations[0]) {
		t.Fatal("needs key: want it for the SRT destination only")
	}
	var got []string
	for _, fe := range profile.FieldErrors(p.ValidateForLive()) {
		got = append(got, forPeople(fe))
	}
	want := "SRT cam: the passphrase and stream id password were left out when this profile was exported: " +
		"edit the destination to enter them again."
	if len(got) != 1 || got[0] != want {
		t.Fatalf("Go Live check: %q, want [%q]", got, want)
	}
}
