package rtp

import (
	"path/filepath"
	"testing"
	"time"

	"golive/outputs/rtptarget"
)

// tsPacketInfo is what the cadence check needs from one 188-byte packet.
type tsPacketInfo struct {
	pid  int
	pcr  int64 // 27 MHz, -1 when absent
	pusi bool
}

func parseTS(p []byte) tsPacketInfo {
	info := tsPacketInfo{pid: int(p[1]&0x1f)<<8 | int(p[2]), pcr: -1, pusi: p[1]&0x40 != 0}
	if p[3]&0x20 != 0 && p[4] >= 7 && p[5]&0x10 != 0 { // adaptation field with PCR
		base := int64(p[6])<<25 | int64(p[7])<<17 | int64(p[8])<<9 | int64(p[9])<<1 | int64(p[10])>>7
		ext := int64(p[10]&1)<<8 | int64(p[11])
		info.pcr = base*300 + ext
	}
	return info
}

// TestMPEGTSJoinCadence checks what lets a player join the mpegts target
// at any time (ISO/IEC 13818-1): PAT and PMT at least ten times a second
// and a PCR at least every 100 ms, measured on the stream's own PCR clock.
func TestMPEGTSJoinCadence(t *testing.T) {
	g := listenPorts(t, 2)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, SDPPath: filepath.Join(t.TempDir(), "c.sdp")}}
	runTarget(t, tg)
	pkts := readRTP(t, g.conns[0], 2500*time.Millisecond)
	checkSequence(t, "mpegts", pkts, ptMP2T)
	var lastPCR, lastPATAt, maxPCRGap, maxPATGap int64 = -1, -1, 0, 0
	pats, pmts := 0, 0
	for _, p := range pkts {
		for off := 0; off+tsPacketSize <= len(p.Payload); off += tsPacketSize {
			ts := p.Payload[off : off+tsPacketSize]
			if ts[0] != 0x47 {
				t.Fatalf("lost TS sync at offset %d", off)
			}
			info := parseTS(ts)
			if info.pcr >= 0 {
				if lastPCR >= 0 {
					maxPCRGap = max(maxPCRGap, info.pcr-lastPCR)
				}
				lastPCR = info.pcr
			}
			switch {
			case info.pid == 0:
				pats++
				if lastPATAt >= 0 && lastPCR >= 0 {
					maxPATGap = max(maxPATGap, lastPCR-lastPATAt)
				}
				lastPATAt = lastPCR
			case info.pid == 0x1000 && info.pusi: // libavformat's first PMT PID
				pmts++
			}
		}
	}
	const ms = 27000 // 27 MHz ticks per millisecond
	t.Logf("%d PAT, %d PMT, max PCR gap %d ms, max PAT gap %d ms", pats, pmts, maxPCRGap/ms, maxPATGap/ms)
	if lastPCR < 0 || maxPCRGap > 100*ms {
		t.Errorf("PCR gap up to %d ms, want at most 100", maxPCRGap/ms)
	}
	if pats < 15 || pmts < 15 || maxPATGap > 150*ms {
		t.Errorf("%d PAT / %d PMT in 2.5 s, largest PAT gap %d ms: want one every 100 ms", pats, pmts, maxPATGap/ms)
	}
}
