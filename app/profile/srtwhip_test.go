package profile

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const (
	srtPass   = "srt-pass-0123456789"
	whipToken = "whip-token-abcdef"
)

func srtWHIPProfile(t *testing.T) Profile {
	t.Helper()
	p := DefaultProfile()
	p.Name = "contribution"
	s, err := ParseSRTFlag("srt://ingest.example.com:9000?streamid=publish:cam&passphrase=" + srtPass + "&latency=300000")
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWHIPFlag("https://whip.example.com/live/whip#"+whipToken, "")
	if err != nil {
		t.Fatal(err)
	}
	p.Destinations = append(p.Destinations, s, w)
	return p
}

// TestSRTWHIPKeysAreSecrets: the SRT passphrase and the WHIP token go to
// the keychain like stream keys (never into the file), come back on
// load, are left out of exports and never show in %v or the logs.
func TestSRTWHIPKeysAreSecrets(t *testing.T) {
	p := srtWHIPProfile(t)
	if s := p.Destinations[1].SRT; s.Key != srtPass || strings.Contains(s.URL, srtPass) {
		t.Fatalf("srt settings %+v: want the passphrase moved out of the URL", *s)
	}
	if w := p.Destinations[2].WHIP; w.Key != whipToken || w.URL != "https://whip.example.com/live/whip" {
		t.Fatalf("whip settings %+v", *w)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	kr := &MemoryKeyring{}
	dir := t.TempDir()
	s, logs := openStore(t, dir, kr)
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	file := readFile(t, s.Path())
	if strings.Contains(file, srtPass) || strings.Contains(file, whipToken) || kr.Len() != 2 {
		t.Fatalf("keychain mode: file holds a secret or keychain has %d entries:\n%s", kr.Len(), file)
	}
	s2, _ := openStore(t, dir, kr)
	got, err := s2.Get(p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Destinations[1].SRT.Key != srtPass || got.Destinations[2].WHIP.Key != whipToken {
		t.Fatalf("keys not read back: %+v %+v", *got.Destinations[1].SRT, *got.Destinations[2].WHIP)
	}
	if keys := got.Keys(); len(keys) != 2 {
		t.Fatalf("Keys() = %d keys", len(keys))
	}
	exp, err := EncodeExport(got, false)
	if err != nil {
		t.Fatal(err)
	}
	printed := fmt.Sprintf("%v %+v", got, got) + string(exp) + logs.String()
	if strings.Contains(printed, srtPass) || strings.Contains(printed, whipToken) {
		t.Fatalf("a secret shows in %%v, the export or the logs:\n%s", printed)
	}
}

func TestSRTWHIPValidation(t *testing.T) {
	for _, tc := range []struct {
		d     Destination
		field string
	}{
		{Destination{Name: "a", Kind: KindSRT, SRT: &SRT{URL: "srt://h"}}, "srt.url"},
		{Destination{Name: "b", Kind: KindSRT, SRT: &SRT{URL: "srt://h:1", Latency: 5}}, "srt.latency"},
		{Destination{Name: "c", Kind: KindSRT, SRT: &SRT{URL: "srt://h:1", Key: "short"}}, "srt.key"},
		{Destination{Name: "g", Kind: KindSRT, SRT: &SRT{URL: "srt://h:1?latency=200000", Latency: 300}}, "srt.latency"},
		{Destination{Name: "d", Kind: KindWHIP, WHIP: &WHIP{URL: "ftp://h/x"}}, "whip.url"},
		{Destination{Name: "e", Kind: KindWHIP, WHIP: &WHIP{URL: "https://h/x", Key: "a b"}}, "whip.key"},
		{Destination{Name: "f", Kind: KindWHIP}, "whip"},
	} {
		c := &checker{dest: 0}
		tc.d.validate(c)
		var fe *FieldError
		if len(c.errs) == 0 || !errors.As(c.errs[0], &fe) || fe.Field != tc.field {
			t.Errorf("%s: errors %v, want field %s", tc.d.Name, c.errs, tc.field)
		}
	}
	// The same latency in both places is no conflict; a different one is
	// refused by Endpoint too (the session's path), naming both values.
	same := &SRT{URL: "srt://h:1?latency=200000", Latency: 200}
	if u, err := same.Endpoint(); err != nil || u.Latency != 200*time.Millisecond {
		t.Errorf("latency=200000 and 200 ms: %v, %v", u.Latency, err)
	}
	both := &SRT{URL: "srt://h:1?latency=200000", Latency: 300}
	if u, err := both.Endpoint(); err == nil || !strings.Contains(err.Error(), "300 ms in the latency field and latency=200000 (200ms) in the URL") {
		t.Errorf("conflicting latencies: %v, %v", u.Latency, err)
	}
	if _, err := ParseWHIPFlag("https://h/x#one", "two"); err == nil {
		t.Error("two different tokens accepted")
	}
	// 288230376151711844 ms (2^58+100) overflows time.Duration to 100 ms:
	// Endpoint checks the count before converting it.
	huge := &SRT{URL: "srt://h:1", Latency: 288230376151711844}
	if u, err := huge.Endpoint(); err == nil {
		t.Errorf("latency %d ms accepted as %v", huge.Latency, u.Latency)
	}
}

// TestSRTStreamIDSecretsMasked: credentials in an SRT stream id (SRT's
// access-control form, MediaMTX's, or a stream id that is the key) are
// secrets like the passphrase: masked when printed (%v, Masked, logs) and
// registered by the store, while the rest of the URL stays readable.
func TestSRTStreamIDSecretsMasked(t *testing.T) {
	const pass = "streamid-pass-77"
	for _, c := range []struct{ url, shown string }{
		{"srt://ingest.example.com:9000?streamid=%23!::r=live/x,u=user,p=" + pass, "srt://ingest.example.com:9000?streamid=#!::r=live/x,u=user,p=****s-77"},
		{"srt://127.0.0.1:8890?streamid=publish:cam:user:" + pass + "&latency=200000", "srt://127.0.0.1:8890?streamid=publish:cam:user:****s-77&latency=200000"},
		{"srt://live.example.com:2088?streamid=" + pass + "-as-key", "srt://live.example.com:2088?streamid=****-key"},
	} {
		p := DefaultProfile()
		p.Name = "sid"
		d, err := ParseSRTFlag(c.url)
		if err != nil {
			t.Fatal(err)
		}
		p.Destinations = append(p.Destinations, d)
		if got := d.SRT.Masked().URL; got != c.shown {
			t.Errorf("Masked().URL = %q, want %q", got, c.shown)
		}
		s, logs := openStore(t, t.TempDir(), &MemoryKeyring{})
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
		u, err := d.SRT.Endpoint()
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Secrets.Redact(fmt.Sprintf("the listener refused stream id %q", u.StreamID)); strings.Contains(got, pass) {
			t.Errorf("the store did not register the stream id's secret: %q", got)
		}
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("dest", "srt", *d.SRT)
		printed := fmt.Sprintf("%v %+v %s", p, *d.SRT, d.SRT.Masked().URL) + logged.String() + logs.String()
		if strings.Contains(printed, pass) {
			t.Errorf("%s: the stream id's secret shows:\n%s", c.url, printed)
		}
		if !strings.Contains(printed, "ingest.example.com") && !strings.Contains(printed, "8890") && !strings.Contains(printed, "live.example.com") {
			t.Errorf("the listener's address is hidden too:\n%s", printed)
		}
	}
}
