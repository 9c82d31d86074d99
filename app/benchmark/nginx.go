package benchmark

import (
	"fmt"

	"golive/media/testpeer"
)

// Ingest is an nginx-rtmp server on loopback (testpeer's configuration),
// started for one benchmark run: application "live", nothing recorded.
type Ingest struct {
	// Dir holds the configuration, logs and pid file.
	Dir string
	// Port is the RTMP port on 127.0.0.1 (a free one when 0).
	Port int

	proc *testpeer.NginxProcess
}

// Start starts nginx and waits until the RTMP port accepts connections.
func (n *Ingest) Start() error {
	if n.Port == 0 {
		p, err := testpeer.FreeTCPPort()
		if err != nil {
			return err
		}
		n.Port = p
	}
	p, err := testpeer.LaunchNginx(testpeer.NginxConfig{Dir: n.Dir, RTMPPort: n.Port, LogLevel: "warn"})
	if err != nil {
		return err
	}
	n.proc = p
	return nil
}

func (n *Ingest) addr() string { return fmt.Sprintf("127.0.0.1:%d", n.Port) }

// URL is the RTMP URL of stream key on this ingest.
func (n *Ingest) URL(key string) string { return n.proc.Config.RTMPURL("live", key) }

// Stop ends nginx and waits for it.
func (n *Ingest) Stop() {
	if n.proc != nil {
		n.proc.Stop()
		n.proc = nil
	}
}
