package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Packet is one packet of a pulled stream (ffprobe -show_packets, no
// decoding).
type Packet struct {
	Video bool
	PTS   float64 // seconds
	Size  int
	Key   bool
}

// PacketPull reads the packets of one nginx-rtmp stream with ffprobe
// without decoding them (cheap enough beside a real-time encode), from
// before it is published until the publisher has left.
type PacketPull struct {
	ng       *Nginx
	app, key string
	done     chan struct{}
	pkts     []Packet
	err      error
}

// StartPacketPull starts the reader and returns once nginx holds it
// waiting for the stream. It is stopped when the test ends.
func StartPacketPull(t testing.TB, ng *Nginx, app, key string) *PacketPull {
	t.Helper()
	RequireBinaries(t, "ffprobe")
	p := &PacketPull{ng: ng, app: app, key: key, done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	go func() {
		defer close(p.done)
		defer cancel()
		p.pkts, p.err = probePackets(ctx, ng.RTMPURL(app, key))
	}()
	t.Cleanup(func() { cancel(); <-p.done })
	if err := WaitForPlayer(ng, app, key, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

// Wait ends the pull once the publisher has left and returns the packets.
func (p *PacketPull) Wait(t testing.TB) []Packet {
	t.Helper()
	endPull(t, p.ng, p.app, p.key, p.done, 30*time.Second)
	if p.err != nil {
		t.Fatalf("ffprobe %s/%s: %v", p.app, p.key, p.err)
	}
	return p.pkts
}

func probePackets(ctx context.Context, input string) ([]Packet, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-rw_timeout", "30000000", "-print_format", "json",
		"-show_entries", "packet=codec_type,pts_time,size,flags", "-i", input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Packets []struct {
			CodecType string `json:"codec_type"`
			PTSTime   string `json:"pts_time"`
			Size      string `json:"size"`
			Flags     string `json:"flags"`
		} `json:"packets"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("ffprobe packets of %s: %w (%w): %s", input, runErr, err, stderr.String())
	}
	pkts := make([]Packet, 0, len(out.Packets))
	for _, p := range out.Packets {
		pts, err1 := strconv.ParseFloat(p.PTSTime, 64)
		size, err2 := strconv.Atoi(p.Size)
		if err1 != nil || err2 != nil {
			continue
		}
		pkts = append(pkts, Packet{Video: p.CodecType == "video", PTS: pts, Size: size,
			Key: len(p.Flags) > 0 && p.Flags[0] == 'K'})
	}
	return pkts, nil
}

// VideoKbps is the video bitrate of pkts whose time is in [from, to)
// seconds after the first packet.
func VideoKbps(pkts []Packet, from, to float64) float64 {
	if len(pkts) == 0 || to <= from {
		return 0
	}
	t0 := pkts[0].PTS
	bytes := 0
	for _, p := range pkts {
		if at := p.PTS - t0; p.Video && at >= from && at < to {
			bytes += p.Size
		}
	}
	return float64(bytes) * 8 / (to - from) / 1000
}
