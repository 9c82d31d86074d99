package profile

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golive/app/secret"
)

// testKey is a realistic stream key; tests grep every output for it.
const testKey = "live_123456789_AbCdEfGhIjKlMnOpQrSt"

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openStore opens a store in dir with kr (nil = keys in the file) and a
// log that is NOT redacted, so tests see what the store itself logs.
func openStore(t *testing.T, dir string, kr Keyring) (*Store, *syncBuffer) {
	t.Helper()
	if kr == nil {
		kr = NoKeyring{Reason: "test: no keychain"}
	}
	logs := &syncBuffer{}
	s := &Store{
		Dir:     dir,
		Keyring: kr,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Secrets: &secret.Registry{},
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, logs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func requireMode0600(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %o, want 600", path, fi.Mode().Perm())
	}
}

func requireNoLeak(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, testKey) {
		t.Fatalf("stream key leaked in %s:\n%s", what, text)
	}
}

// fullProfile sets every field of every type to a non-zero value.
func fullProfile() Profile {
	return Profile{
		Name: "Twitch + YouTube",
		Capture: Capture{Source: SourceScreen, Display: ":99.0", Region: "10,20,1280,720", Cursor: true,
			Audio: AudioMic, AudioDevice: "USB Mic"},
		Encoder: Encoder{Width: 1920, Height: 1080, FPS: 60, VideoBitrate: 6_000_000, Encoder: "libx264",
			Preset: "faster", AudioBitrate: 160_000},
		Destinations: []Destination{
			{Name: "Twitch", Kind: KindRTMP, Enabled: true, RTMP: &RTMP{Service: "twitch",
				URL: "rtmps://live.twitch.tv:443/app", Key: testKey, CAFile: "/etc/ssl/ca.pem",
				PinSHA256: strings.Repeat("ab", 32)}},
			{Name: "Preview", Kind: KindRTP, Enabled: false, RTP: &RTP{Host: "239.1.2.3", Port: 6000,
				Mode: "native", MTU: 1400, TTL: 4, RTCPMux: true, SRTP: true, SDPPath: "/tmp/p.sdp"}},
			{Name: "Archive", Kind: KindRecord, Enabled: true, Record: &Record{Path: "/videos/show.mkv", Format: "mkv"}},
		},
	}
}

func testdataPath(name string) string { return filepath.Join("testdata", name) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
