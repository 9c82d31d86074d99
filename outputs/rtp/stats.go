package rtp

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// Receiver states reported in Detail()["receiver"].
const (
	ReceiverWaiting = "waiting"     // not sending yet
	ReceiverNone    = "no receiver" // ICMP port unreachable came back
	ReceiverOK      = "ok"          // sending, no error from the network
)

// targetStats collects what a target knows about its receivers, for the UI.
// It outlives reconnects.
type targetStats struct {
	mu           sync.Mutex
	streams      map[string]*StreamStats
	sending      bool
	noReceiverAt time.Time
	sdpPath      string
	url          string
	// cname is the running session's RTCP CNAME, for the SDP's a=ssrc.
	cname string
	// ignoredReports counts RTCP packets and reports not believed: from
	// another address or port, not authenticated, or implausible.
	ignoredReports uint64
}

// StreamStats are one RTP stream's counters and what the latest Receiver
// Report said about it (RFC 3550 section 6.4.1).
type StreamStats struct {
	SSRC uint32
	// LocalRTCPPort is where this stream expects Receiver Reports.
	LocalRTCPPort int
	Packets       uint32
	Octets        uint32
	SRSent        uint64
	RRReceived    uint64
	FractionLost  float64 // 0..1, over the last report interval
	// TotalLost is the cumulative loss, a signed 24-bit figure that
	// duplicates make negative.
	TotalLost int32
	JitterMs  float64
	RTTMs     float64 // -1 until a report echoes a Sender Report
	LastRR    time.Time
	// ROC is the SRTP rollover counter of the next packet (RFC 3711
	// section 3.3.1): how many times the sequence number has wrapped.
	ROC uint32
}

func (ts *targetStats) stream(kind string) *StreamStats {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.streams == nil {
		ts.streams = map[string]*StreamStats{}
	}
	// A reconnect starts new SSRCs: start the figures over too.
	st := &StreamStats{}
	ts.streams[kind] = st
	return st
}

// update runs f on a stream's stats under the lock.
func (ts *targetStats) update(st *StreamStats, f func(*StreamStats)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	f(st)
}

// resetStreams forgets the previous session's streams before a new one
// starts, so that its SSRCs and rollover counters leave the SDP.
func (ts *targetStats) resetStreams() {
	ts.mu.Lock()
	ts.streams, ts.cname = nil, ""
	ts.mu.Unlock()
}

// srtpSource is what a late SRTP receiver needs besides the key: the
// stream's SSRC and current rollover counter.
type srtpSource struct {
	ssrc  uint32
	roc   uint32
	cname string
}

// source returns the running stream of kind ("mpegts" stands in for
// "video"), if any.
func (ts *targetStats) source(kind string) (srtpSource, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	st, ok := ts.streams[kind]
	if !ok && kind == "video" {
		st, ok = ts.streams["mpegts"]
	}
	if !ok || ts.cname == "" {
		return srtpSource{}, false
	}
	return srtpSource{ssrc: st.SSRC, roc: st.ROC, cname: ts.cname}, true
}

func (ts *targetStats) setSending(on bool) {
	ts.mu.Lock()
	ts.sending = on
	ts.mu.Unlock()
}

// ignoreReport counts an RTCP packet or report that was not believed.
func (ts *targetStats) ignoreReport() {
	ts.mu.Lock()
	ts.ignoredReports++
	ts.mu.Unlock()
}

// IgnoredReports is how many RTCP packets or reports were not believed.
func (t *Target) IgnoredReports() uint64 {
	t.stats.mu.Lock()
	defer t.stats.mu.Unlock()
	return t.stats.ignoredReports
}

// noReceiver records an ICMP port unreachable from the target.
func (ts *targetStats) noReceiver() {
	ts.mu.Lock()
	ts.noReceiverAt = time.Now()
	ts.mu.Unlock()
}

// receiverLocked is the receiver state shown to the user.
func (ts *targetStats) receiverLocked(now time.Time) string {
	switch {
	case !ts.noReceiverAt.IsZero() && now.Sub(ts.noReceiverAt) < noReceiverHold:
		return ReceiverNone
	case !ts.sending:
		return ReceiverWaiting
	default:
		return ReceiverOK
	}
}

// Detail implements dest.DetailReporter: "receiver" ("no receiver", "ok",
// "waiting"), "sdp" (the SDP file path), "url" (what VLC opens),
// "ignored_reports" (RTCP not believed: wrong source, not authenticated,
// implausible), and per
// stream ("video", "audio" or "mpegts") the SSRC, packet and octet counts,
// and from the receiver's reports fraction_lost (0..1), packets_lost,
// jitter_ms, rtt_ms and receiver_reports; with SRTP srtp_roc, the
// rollover counter a receiver joining now needs (also in the SDP).
func (t *Target) Detail() map[string]any {
	ts := &t.stats
	ts.mu.Lock()
	defer ts.mu.Unlock()
	d := map[string]any{"receiver": ts.receiverLocked(time.Now()), "ignored_reports": ts.ignoredReports}
	if ts.sdpPath != "" {
		d["sdp"] = ts.sdpPath
	}
	if ts.url != "" {
		d["url"] = ts.url
	}
	for _, kind := range slices.Sorted(maps.Keys(ts.streams)) {
		st := ts.streams[kind]
		m := map[string]any{
			"ssrc":             st.SSRC,
			"rtcp_port":        st.LocalRTCPPort,
			"packets":          st.Packets,
			"octets":           st.Octets,
			"sender_reports":   st.SRSent,
			"receiver_reports": st.RRReceived,
		}
		if t.SRTP {
			m["srtp_roc"] = st.ROC
		}
		if st.RRReceived > 0 {
			m["fraction_lost"] = st.FractionLost
			m["packets_lost"] = st.TotalLost
			m["jitter_ms"] = st.JitterMs
			m["rtt_ms"] = st.RTTMs
		}
		d[kind] = m
	}
	return d
}

// Stats returns a copy of the per-stream figures keyed by "video",
// "audio" or "mpegts".
func (t *Target) Stats() map[string]StreamStats {
	ts := &t.stats
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := make(map[string]StreamStats, len(ts.streams))
	for k, st := range ts.streams {
		out[k] = *st
	}
	return out
}
