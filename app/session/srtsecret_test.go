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
