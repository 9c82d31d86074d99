package session

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/outputs/dest"
)

// TestSRTStreamIDSecretInStats: an SRT destination whose stream id carries
// a password (MediaMTX's publish:PATH:USER:PASS) registers it when its
// output is made, so the listener's refusal echoing the stream id shows
// masked in the --stats json snapshot, as a passphrase would.
func TestSRTStreamIDSecretInStats(t *testing.T) {
	const pass = "stats-sid-pass-1618"
	d, err := profile.ParseSRTFlag("srt://127.0.0.1:9000?streamid=publish:cam:golive:" + pass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DestinationOutput(d); err != nil {
		t.Fatal(err)
	}
	st := Stats{Outputs: []dest.Status{{Name: d.Name, Kind: "srt", State: dest.StateFailed,
		LastError: fmt.Sprintf("srt 127.0.0.1:9000: stream id refused: the listener refused stream id %q", "publish:cam:golive:"+pass)}}}
	redactStats(&st)
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), pass) || !strings.Contains(string(b), "publish:cam:golive:") {
		t.Fatalf("stats json: want the stream id's password hidden, the rest kept:\n%s", b)
	}
}

// TestWHIPTokenRegisteredWithItsOutput: a WHIP destination's bearer token
// is registered when its output is made (as an RTMP key and an SRT
// passphrase are), whatever built the profile: an endpoint's answer
// echoing it shows masked in the stats, in any letter case.
func TestWHIPTokenRegisteredWithItsOutput(t *testing.T) {
	const token = "Bearer-Token-Output-2718"
	d := profile.Destination{Name: "cloud", Kind: profile.KindWHIP, Enabled: true,
		WHIP: &profile.WHIP{URL: "https://whip.example.net/live/whip", Key: token}}
	if _, err := DestinationOutput(d); err != nil {
		t.Fatal(err)
	}
	st := Stats{Outputs: []dest.Status{{Name: d.Name, Kind: "whip", State: dest.StateFailed,
		LastError: "whip whip.example.net: 401 Unauthorized: token " + token + " (" + strings.ToLower(token) + ") refused"}}}
	redactStats(&st)
	if got := st.Outputs[0].LastError; strings.Contains(strings.ToLower(got), strings.ToLower(token)) ||
		!strings.Contains(got, "401 Unauthorized") {
		t.Fatalf("error after redaction %q: want the token hidden, the rest kept", got)
	}
}
