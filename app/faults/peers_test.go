package faults

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
%s
pid %s/nginx.pid;
error_log %s/error.log info;
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:%d;
    chunk_size 4096;
    application live { live on; record off; on_publish http://%s/publish; }
  }
}
`, user, dir, dir, a.Port, ln.Addr())
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nginx", "-p", dir+"/", "-c", filepath.Join(dir, "nginx.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(a.Port), 200*time.Millisecond); err == nil {
			_ = c.Close()
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("auth nginx did not start: %s", out.String())
		}
	}
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
