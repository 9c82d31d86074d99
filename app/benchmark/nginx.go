package benchmark

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Ingest is an nginx-rtmp server on loopback, started for one benchmark
// run: application "live", live on, nothing recorded.
type Ingest struct {
	// Dir holds the configuration, logs and pid file.
	Dir string
	// Port is the RTMP port on 127.0.0.1 (a free one when 0).
	Port int

	cmd    *exec.Cmd
	out    bytes.Buffer
	exited chan struct{}
}

// Start writes the configuration and starts nginx in the foreground, and
// waits until the RTMP port accepts connections.
func (n *Ingest) Start() error {
	if n.Port == 0 {
		p, err := freeTCPPort()
		if err != nil {
			return err
		}
		n.Port = p
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
%s
pid %s/nginx.pid;
error_log %s/error.log warn;
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:%d;
    chunk_size 4096;
    application live { live on; record off; wait_key on; wait_video on; }
  }
}
`, user, n.Dir, n.Dir, n.Port)
	path := filepath.Join(n.Dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return fmt.Errorf("nginx configuration: %w", err)
	}
	n.cmd = exec.Command("nginx", "-p", n.Dir+"/", "-c", path)
	n.cmd.Stdout, n.cmd.Stderr = &n.out, &n.out
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("start nginx: %w", err)
	}
	n.exited = make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(n.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", n.addr(), time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case <-n.exited:
			log, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
			return fmt.Errorf("nginx exited: %s %s", n.out.String(), log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.Stop()
			return errors.New("nginx: RTMP port not open after 10 s")
		}
	}
}

func (n *Ingest) addr() string { return fmt.Sprintf("127.0.0.1:%d", n.Port) }

// URL is the RTMP URL of stream key on this ingest.
func (n *Ingest) URL(key string) string {
	return fmt.Sprintf("rtmp://%s/live/%s", n.addr(), key)
}

// Stop ends nginx and waits for it.
func (n *Ingest) Stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
	n.cmd = nil
}

func freeTCPPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
