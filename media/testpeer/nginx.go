package testpeer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// NginxConfig describes an nginx-rtmp ingest on loopback: String renders
// its nginx.conf (PLATFORM.md "Real peers on loopback"). The fault suite,
// the benchmark and the tests all build theirs here.
type NginxConfig struct {
	// Dir holds nginx.conf, the pid file, logs, temporary files and the
	// TLS front's certificate (server.crt, server.key).
	Dir      string
	RTMPPort int
	// Apps are the RTMP applications: live, nothing recorded, players held
	// until a key frame (default: "live").
	Apps []string
	// OnPublish, when set, is the HTTP callback nginx asks whether a key
	// may publish (on_publish, as services check stream keys).
	OnPublish string
	// HTTPPort, when set, serves /stat (rtmp_stat all) and /control.
	HTTPPort int
	// RTMPSPort, when set, is a TLS front proxying to the RTMP port.
	RTMPSPort int
	// LogLevel is error_log's level (default "info").
	LogLevel string
}

// String renders nginx.conf.
func (c NginxConfig) String() string {
	var b strings.Builder
	b.WriteString("daemon off;\nmaster_process off;\n")
	if os.Geteuid() == 0 {
		b.WriteString("user root;\n")
	}
	level := c.LogLevel
	if level == "" {
		level = "info"
	}
	fmt.Fprintf(&b, "pid %[1]s/nginx.pid;\nerror_log %[1]s/error.log %[2]s;\n", c.Dir, level)
	b.WriteString("load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n")
	if c.RTMPSPort != 0 {
		b.WriteString("load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n")
	}
	fmt.Fprintf(&b, "events { worker_connections 1024; }\nrtmp {\n  server {\n    listen 127.0.0.1:%d;\n    chunk_size 4096;\n", c.RTMPPort)
	apps := c.Apps
	if len(apps) == 0 {
		apps = []string{"live"}
	}
	for _, a := range apps {
		fmt.Fprintf(&b, "    application %s { live on; record off; wait_key on; wait_video on;", a)
		if c.OnPublish != "" {
			fmt.Fprintf(&b, " on_publish %s;", c.OnPublish)
		}
		b.WriteString(" }\n")
	}
	b.WriteString("  }\n}\n")
	if c.HTTPPort != 0 {
		fmt.Fprintf(&b, `http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen 127.0.0.1:%[2]d;
    location /stat { rtmp_stat all; }
    location /control { rtmp_control all; }
  }
}
`, c.Dir, c.HTTPPort)
	}
	if c.RTMPSPort != 0 {
		fmt.Fprintf(&b, `stream {
  server {
    listen 127.0.0.1:%[2]d ssl;
    ssl_certificate %[1]s/server.crt;
    ssl_certificate_key %[1]s/server.key;
    proxy_pass 127.0.0.1:%[3]d;
  }
}
`, c.Dir, c.RTMPSPort, c.RTMPPort)
	}
	return b.String()
}

// NginxProcess is a running nginx started by LaunchNginx.
type NginxProcess struct {
	Config NginxConfig
	cmd    *exec.Cmd
	exited chan struct{}
}

// LaunchNginx writes c.Dir/nginx.conf, starts nginx in the foreground and
// waits until every port of c accepts connections. Stop ends it.
func LaunchNginx(c NginxConfig) (*NginxProcess, error) {
	conf := filepath.Join(c.Dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		return nil, fmt.Errorf("nginx configuration: %w", err)
	}
	cmd := exec.Command("nginx", "-p", c.Dir+"/", "-c", conf)
	diesWithUs(cmd)
	var out LockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	p := &NginxProcess{Config: c, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range []int{c.RTMPPort, c.HTTPPort, c.RTMPSPort} {
		for port != 0 && !canConnect(port) {
			select {
			case <-p.exited:
				log, _ := os.ReadFile(filepath.Join(c.Dir, "error.log"))
				return nil, fmt.Errorf("nginx exited: %s\n%s", out.String(), log)
			default:
			}
			if time.Now().After(deadline) {
				p.Stop()
				return nil, fmt.Errorf("nginx did not listen on port %d within 10 s", port)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p, nil
}

// Stop terminates nginx (fast shutdown: connections are closed) and waits
// for it to exit.
func (p *NginxProcess) Stop() {
	StopProcess(p.cmd.Process, p.exited, syscall.SIGTERM, 5*time.Second)
}

// RTMPURL returns the RTMP URL of a stream.
func (c NginxConfig) RTMPURL(app, key string) string {
	return fmt.Sprintf("rtmp://127.0.0.1:%d/%s/%s", c.RTMPPort, app, key)
}

// Nginx is an nginx-rtmp ingest started for one test: RTMP on loopback
// with applications "live" and "live2", an RTMPS front (nginx stream ssl
// proxying to the RTMP port) with a self-signed CA, and /stat over HTTP.
type Nginx struct {
	Dir       string
	RTMPPort  int
	RTMPSPort int
	HTTPPort  int

	t       testing.TB
	caFile  string
	leafDER []byte
	mu      sync.Mutex
	proc    *NginxProcess
}

// StartNginxRTMP writes a configuration with free ports into a temporary
// directory, starts nginx in the foreground and waits until every port
// accepts connections. It is stopped when the test ends.
func StartNginxRTMP(t testing.TB) *Nginx {
	t.Helper()
	RequireBinaries(t, "nginx")
	n := &Nginx{t: t, Dir: t.TempDir()}
	n.RTMPPort, n.RTMPSPort, n.HTTPPort = FreePort(t), FreePort(t), FreePort(t)
	if err := n.writeCerts(); err != nil {
		t.Fatalf("nginx certificates: %v", err)
	}
	t.Cleanup(n.Stop)
	n.Start()
	return n
}

// FreePort returns a TCP port that is free on 127.0.0.1 right now.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FreeTCPPort returns a TCP port that is free on 127.0.0.1 right now
// (PickPort: outside the kernel's ephemeral range).
func FreeTCPPort() (int, error) { return PickPort("tcp", 1, false) }

// Config is the ingest's nginx configuration.
func (n *Nginx) Config() NginxConfig {
	return NginxConfig{Dir: n.Dir, RTMPPort: n.RTMPPort, Apps: []string{"live", "live2"},
		HTTPPort: n.HTTPPort, RTMPSPort: n.RTMPSPort}
}

// Start runs nginx (again, on the same ports after Stop) and waits until
// its ports accept connections.
func (n *Nginx) Start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc != nil {
		return
	}
	p, err := LaunchNginx(n.Config())
	if err != nil {
		n.t.Fatal(err)
	}
	n.proc = p
}

func canConnect(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// Stop terminates nginx (fast shutdown: connections are closed) and waits
// for it to exit. Start can run it again.
func (n *Nginx) Stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return
	}
	n.proc.Stop()
	n.proc = nil
}

// RTMPURL returns the RTMP URL of a stream.
func (n *Nginx) RTMPURL(app, key string) string { return n.Config().RTMPURL(app, key) }

// RTMPSURL returns the RTMPS URL of a stream through the TLS front; host
// is "localhost" or "127.0.0.1" (both are in the certificate).
func (n *Nginx) RTMPSURL(host, app, key string) string {
	return fmt.Sprintf("rtmps://%s:%d/%s/%s", host, n.RTMPSPort, app, key)
}

// CAFile is the PEM file of the CA that signed the TLS front's certificate.
func (n *Nginx) CAFile() string { return n.caFile }

// ServerCertDER is the TLS front's certificate, for pinning.
func (n *Nginx) ServerCertDER() []byte { return n.leafDER }

// ErrorLog returns nginx's error log so far.
func (n *Nginx) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
	return string(b)
}
