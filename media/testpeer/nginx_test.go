package testpeer

import (
	"strings"
	"testing"
)

// TestNginxConfigAndLaunch: the one nginx configuration builder renders
// what each user needs (applications, on_publish, /stat, the TLS front),
// and LaunchNginx runs it until Stop.
func TestNginxConfigAndLaunch(t *testing.T) {
	RequireBinaries(t, "nginx")
	c := NginxConfig{Dir: t.TempDir(), RTMPPort: FreePort(t), Apps: []string{"live", "alt"},
		OnPublish: "http://127.0.0.1:9/publish", HTTPPort: FreePort(t), LogLevel: "warn"}
	conf := c.String()
	for _, want := range []string{"application alt { live on;", "on_publish http://127.0.0.1:9/publish;",
		"location /stat { rtmp_stat all; }", "error_log " + c.Dir + "/error.log warn;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("configuration lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "ssl") || strings.Contains(conf, "ngx_stream_module") {
		t.Errorf("TLS front without RTMPSPort:\n%s", conf)
	}
	p, err := LaunchNginx(c)
	if err != nil {
		t.Fatal(err)
	}
	if !canConnect(c.RTMPPort) || !canConnect(c.HTTPPort) {
		t.Error("ports not open after LaunchNginx")
	}
	p.Stop()
	if canConnect(c.RTMPPort) {
		t.Error("RTMP port still open after Stop")
	}
}
