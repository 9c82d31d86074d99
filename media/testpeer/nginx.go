package testpeer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
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
	cmd     *exec.Cmd
	exited  chan struct{}
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
	if err := os.WriteFile(filepath.Join(n.Dir, "nginx.conf"), []byte(n.config()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Stop)
	n.Start()
	return n
}

// FreePort returns a TCP port that is free on 127.0.0.1 right now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (n *Nginx) config() string {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	d := n.Dir
	return fmt.Sprintf(`daemon off;
master_process off;
%[1]s
pid %[2]s/nginx.pid;
error_log %[2]s/error.log info;
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:%[3]d;
    chunk_size 4096;
    application live { live on; record off; wait_key on; wait_video on; }
    application live2 { live on; record off; wait_key on; wait_video on; }
  }
}
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  server {
    listen 127.0.0.1:%[4]d;
    location /stat { rtmp_stat all; }
    location /control { rtmp_control all; }
  }
}
stream {
  server {
    listen 127.0.0.1:%[5]d ssl;
    ssl_certificate %[2]s/server.crt;
    ssl_certificate_key %[2]s/server.key;
    proxy_pass 127.0.0.1:%[3]d;
  }
}
`, user, d, n.RTMPPort, n.HTTPPort, n.RTMPSPort)
}

// Start runs nginx (again, on the same ports after Stop) and waits until
// its ports accept connections.
func (n *Nginx) Start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return
	}
	cmd := exec.Command("nginx", "-p", n.Dir+"/", "-c", filepath.Join(n.Dir, "nginx.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	n.cmd, n.exited = cmd, exited
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range []int{n.RTMPPort, n.HTTPPort, n.RTMPSPort} {
		for !canConnect(port) {
			select {
			case <-exited:
				log, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
				n.cmd = nil
				n.t.Fatalf("nginx exited: %s\n%s", out.String(), log)
			default:
			}
			if time.Now().After(deadline) {
				n.t.Fatalf("nginx did not listen on port %d", port)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
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
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

// RTMPURL returns the RTMP URL of a stream.
func (n *Nginx) RTMPURL(app, key string) string {
	return fmt.Sprintf("rtmp://127.0.0.1:%d/%s/%s", n.RTMPPort, app, key)
}

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

func (n *Nginx) writeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "GoLive test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	n.leafDER, err = x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	n.caFile = filepath.Join(n.Dir, "ca.crt")
	files := map[string]*pem.Block{
		n.caFile:                           {Type: "CERTIFICATE", Bytes: caDER},
		filepath.Join(n.Dir, "server.crt"): {Type: "CERTIFICATE", Bytes: n.leafDER},
		filepath.Join(n.Dir, "server.key"): {Type: "EC PRIVATE KEY", Bytes: keyDER},
	}
	for path, block := range files {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// NginxStream is one live stream in nginx-rtmp's statistics.
type NginxStream struct {
	Name       string    `xml:"name"`
	BytesIn    int64     `xml:"bytes_in"`
	BWIn       int64     `xml:"bw_in"`
	NClients   int       `xml:"nclients"`
	Publishing *struct{} `xml:"publishing"`
	Video      struct {
		Width     int    `xml:"width"`
		Height    int    `xml:"height"`
		FrameRate int    `xml:"frame_rate"`
		Codec     string `xml:"codec"`
	} `xml:"meta>video"`
	Audio struct {
		Codec      string `xml:"codec"`
		SampleRate int    `xml:"sample_rate"`
		Channels   int    `xml:"channels"`
	} `xml:"meta>audio"`
}

// NginxStat is nginx-rtmp's /stat document (rtmp_stat all).
type NginxStat struct {
	Applications []struct {
		Name    string        `xml:"name"`
		Streams []NginxStream `xml:"live>stream"`
	} `xml:"server>application"`
}

// Streams returns the live streams of an application.
func (s *NginxStat) Streams(app string) []NginxStream {
	for _, a := range s.Applications {
		if a.Name == app {
			return a.Streams
		}
	}
	return nil
}

// Stream returns one stream of an application, or nil.
func (s *NginxStat) Stream(app, name string) *NginxStream {
	for _, st := range s.Streams(app) {
		if st.Name == name {
			return &st
		}
	}
	return nil
}

// DropSubscribers disconnects the players of a stream (nginx-rtmp's
// control module), ending a pull that would otherwise wait for the next
// publisher. It returns how many were dropped.
func (n *Nginx) DropSubscribers(app, name string) (int, error) {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/control/drop/subscriber?app=%s&name=%s",
		n.HTTPPort, url.QueryEscape(app), url.QueryEscape(name)))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("nginx control: %s", resp.Status)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Stat fetches and parses /stat.
func (n *Nginx) Stat() (*NginxStat, error) {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/stat", n.HTTPPort))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st NginxStat
	if err := xml.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("parse nginx stat: %w", err)
	}
	return &st, nil
}
