package faults

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/media/testpeer"
)

// authNginx is an nginx-rtmp ingest that asks an HTTP callback
// (on_publish, as real services check stream keys) whether a key may
// publish: only keys starting with "good" may.
type authNginx struct {
	Port int

	mu      sync.Mutex
	refused []string
}

// startAuthNginx starts the ingest and its key-checking callback; both
// stop when the test ends.
func startAuthNginx(t *testing.T) *authNginx {
	t.Helper()
	testpeer.RequireBinaries(t, "nginx")
	a := &authNginx{Port: testpeer.FreePort(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(a.check), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	ng, err := testpeer.LaunchNginx(testpeer.NginxConfig{Dir: t.TempDir(), RTMPPort: a.Port,
		OnPublish: "http://" + ln.Addr().String() + "/publish"})
	if err != nil {
		t.Fatalf("auth nginx: %v", err)
	}
	t.Cleanup(ng.Stop)
	return a
}

func (a *authNginx) check(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	name := r.Form.Get("name")
	if strings.HasPrefix(name, "good") {
		w.WriteHeader(http.StatusOK)
		return
	}
	a.mu.Lock()
	a.refused = append(a.refused, name)
	a.mu.Unlock()
	w.WriteHeader(http.StatusForbidden)
}

// Refused returns the keys the callback refused.
func (a *authNginx) Refused() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.refused...)
}

// URL is the RTMP URL of a stream on the ingest.
func (a *authNginx) URL(key string) string {
	return fmt.Sprintf("rtmp://127.0.0.1:%d/live/%s", a.Port, key)
}

// nginxPID reads the pid of a testpeer nginx (single process: master_process off).
func nginxPID(t *testing.T, ng *testpeer.Nginx) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ng.Dir, "nginx.pid"))
	if err != nil {
		t.Fatalf("nginx pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("nginx pid %q: %v", b, err)
	}
	return pid
}
