package faults

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
)

// Soak limits.
const (
	soakMaxAVOffsetMs = 20.0
	// soakMaxRSSGrowthMB is how much RSS may grow from the end of the
	// first quarter (warm-up: encoder, queues, buffers) to the end.
	soakMaxRSSGrowthMB = 24.0
	soakMaxGoroutineUp = 4
)

// soakReport is what the soak measured.
type soakReport struct {
	Duration, Interval time.Duration
	Samples            []soakSample
	Final              session.Stats
	RxRTMPFrames       int
	RxRTPFrames        int
	RxRTMPErrors       []string
	RxRTPErrors        []string
	SyncStart, SyncEnd *testpeer.SyncReport
	RecordTailErrors   []string
	SyncErrors         []string
	RecordBytes        int64
}

type minMax struct{ first, last, min, max float64 }

func series(s []soakSample, f func(soakSample) float64) minMax {
	if len(s) == 0 {
		return minMax{}
	}
	m := minMax{first: f(s[0]), last: f(s[len(s)-1]), min: math.Inf(1), max: math.Inf(-1)}
	for _, x := range s {
		m.min, m.max = min(m.min, f(x)), max(m.max, f(x))
	}
	return m
}

// warm is the first sample after a quarter of the run.
func (r *soakReport) warm() soakSample {
	return r.Samples[len(r.Samples)/4]
}

func (r *soakReport) maxAbsAV() float64 {
	m := 0.0
	for _, s := range r.Samples {
		m = max(m, math.Abs(s.AVOffsetMs))
	}
	return m
}

// rssSlope is the least-squares RSS trend after warm-up, in MB per hour.
func (r *soakReport) rssSlope() float64 {
	s := r.Samples[len(r.Samples)/4:]
	if len(s) < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for _, x := range s {
		h := x.ElapsedS / 3600
		sx, sy, sxx, sxy = sx+h, sy+x.RSSMB, sxx+h*h, sxy+h*x.RSSMB
	}
	n := float64(len(s))
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}

func medianOffset(r *testpeer.SyncReport) time.Duration {
	if r == nil || len(r.Offsets) == 0 {
		return 0
	}
	o := slices.Clone(r.Offsets)
	slices.Sort(o)
	return o[len(o)/2]
}

func (r *soakReport) totalDropped() uint64 {
	var d uint64
	for _, o := range r.Final.Outputs {
		d += o.Dropped + o.DroppedAudio
	}
	return d
}

func (r *soakReport) sentRTMP1() uint64 { return r.sentBy("rtmp1") }

// sentBy is the number of video frames output name sent.
func (r *soakReport) sentBy(name string) uint64 {
	for _, o := range r.Final.Outputs {
		if o.Name == name {
			return o.FramesSent
		}
	}
	return 0
}

// problems lists every limit the run broke.
func (r *soakReport) problems() []string {
	var p []string
	if len(r.Samples) < 3 {
		return []string{fmt.Sprintf("only %d samples", len(r.Samples))}
	}
	if d := r.totalDropped(); d > 0 {
		p = append(p, fmt.Sprintf("%d frames dropped by the outputs", d))
	}
	for _, o := range r.Final.Outputs {
		if o.Reconnects > 0 {
			p = append(p, fmt.Sprintf("%s reconnected %d times (%s)", o.Name, o.Reconnects, o.LastError))
		}
	}
	if av := r.maxAbsAV(); av > soakMaxAVOffsetMs {
		p = append(p, fmt.Sprintf("engine a/v offset reached %.1f ms", av))
	}
	if drift := (medianOffset(r.SyncEnd) - medianOffset(r.SyncStart)).Abs(); drift > 20*time.Millisecond {
		p = append(p, fmt.Sprintf("recorded a/v offset drifted by %v from start to end", drift))
	}
	if grow := r.Samples[len(r.Samples)-1].RSSMB - r.warm().RSSMB; grow > soakMaxRSSGrowthMB {
		p = append(p, fmt.Sprintf("RSS grew by %.1f MB after warm-up", grow))
	}
	if g := r.Samples[len(r.Samples)-1].Goroutines - r.Samples[0].Goroutines; g > soakMaxGoroutineUp {
		p = append(p, fmt.Sprintf("goroutines grew by %d", g))
	}
	if len(r.RxRTMPErrors) > 0 {
		p = append(p, fmt.Sprintf("RTMP receiver decode errors: %q", r.RxRTMPErrors[:min(5, len(r.RxRTMPErrors))]))
	}
	if sent := r.sentRTMP1(); r.RxRTMPFrames < int(sent)-3 || r.RxRTMPFrames > int(sent) {
		p = append(p, fmt.Sprintf("RTMP receiver decoded %d frames of %d sent", r.RxRTMPFrames, sent))
	}
	// The RTP receiver (ffmpeg on rtp:// without an SDP) listens before the
	// sender starts and the stream's tables lead its first key frame
	// alone: it decodes every frame from the first, with no error. Its last
	// frame may stay in its demuxer (a video PES has no length in MPEG-TS;
	// it ends when the next one starts).
	if len(r.RxRTPErrors) > 0 {
		p = append(p, fmt.Sprintf("RTP receiver decode errors (%d lines): %q", len(r.RxRTPErrors), r.RxRTPErrors[:min(5, len(r.RxRTPErrors))]))
	}
	if sent := r.sentBy("rtp"); r.RxRTPFrames < int(sent)-3 || r.RxRTPFrames > int(sent) {
		p = append(p, fmt.Sprintf("RTP receiver decoded %d frames of %d sent", r.RxRTPFrames, sent))
	}
	p = append(p, r.SyncErrors...)
	if len(r.RecordTailErrors) > 0 {
		p = append(p, fmt.Sprintf("recording tail decode errors: %q", r.RecordTailErrors[:min(5, len(r.RecordTailErrors))]))
	}
	return p
}

func (r *soakReport) summary() string {
	var b strings.Builder
	rss := series(r.Samples, func(s soakSample) float64 { return s.RSSMB })
	heap := series(r.Samples, func(s soakSample) float64 { return s.HeapMB })
	gor := series(r.Samples, func(s soakSample) float64 { return float64(s.Goroutines) })
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# GoLive soak: %v\n\n", r.Duration)
	fmt.Fprintf(&b, "Test source 1280x720@30 (libx264 veryfast 2500k, AAC 128k) to 3 RTMP (nginx-rtmp), "+
		"1 RTP (MPEG-TS, ffmpeg receiver) and an MKV recording, on %s (%d CPUs), sampled every %v (%d samples).\n\n",
		host, numCPU(), r.Interval, len(r.Samples))
	fmt.Fprintf(&b, "| figure | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| RSS start / end / max (MB) | %.1f / %.1f / %.1f (after warm-up %.1f; trend %+.1f MB/h) |\n",
		rss.first, rss.last, rss.max, r.warm().RSSMB, r.rssSlope())
	fmt.Fprintf(&b, "| Go heap in use start / end / max (MB) | %.1f / %.1f / %.1f |\n", heap.first, heap.last, heap.max)
	fmt.Fprintf(&b, "| goroutines start / end / max | %.0f / %.0f / %.0f |\n", gor.first, gor.last, gor.max)
	fmt.Fprintf(&b, "| frames encoded / skipped by the encoder | %d / %d |\n", r.Final.Frames.Encoded, r.Final.Frames.Skipped)
	fmt.Fprintf(&b, "| frames dropped by outputs (all 5) | %d |\n", r.totalDropped())
	fmt.Fprintf(&b, "| engine A/V offset max abs (ms) | %.2f |\n", r.maxAbsAV())
	fmt.Fprintf(&b, "| recorded A/V offset, median first / last %s | %v / %v (max abs %v / %v) |\n",
		"minute", medianOffset(r.SyncStart), medianOffset(r.SyncEnd), maxAbs(r.SyncStart), maxAbs(r.SyncEnd))
	fmt.Fprintf(&b, "| RTMP receiver (ffmpeg) frames / sent / decode errors | %d / %d / %d |\n",
		r.RxRTMPFrames, r.sentRTMP1(), len(r.RxRTMPErrors))
	fmt.Fprintf(&b, "| RTP receiver (ffmpeg) frames / sent / decode errors | %d / %d / %d |\n",
		r.RxRTPFrames, r.sentBy("rtp"), len(r.RxRTPErrors))
	fmt.Fprintf(&b, "| recording size (MB) / tail decode errors | %.0f / %d |\n", float64(r.RecordBytes)/(1<<20), len(r.RecordTailErrors))
	b.WriteString("\n| output | state | frames sent | dropped | reconnects | bytes |\n|---|---|---|---|---|---|\n")
	for _, o := range r.Final.Outputs {
		fmt.Fprintf(&b, "| %s (%s) | %s | %d | %d | %d | %d |\n", o.Name, o.Kind, o.State, o.FramesSent,
			o.Dropped+o.DroppedAudio, o.Reconnects, o.Bytes)
	}
	for name, errs := range map[string][]string{"RTP receiver": r.RxRTPErrors, "RTMP receiver": r.RxRTMPErrors} {
		if len(errs) > 0 {
			fmt.Fprintf(&b, "\n%s: first decode errors of %d: `%s`\n", name, len(errs), strings.Join(errs[:min(4, len(errs))], "`, `"))
		}
	}
	if p := r.problems(); len(p) > 0 {
		b.WriteString("\n**Problems:**\n\n")
		for _, x := range p {
			fmt.Fprintf(&b, "- %s\n", x)
		}
	} else {
		b.WriteString("\nVerdict: no drops, no decode errors, flat memory, A/V offset within 20 ms.\n")
	}
	b.WriteString("\n![soak](soak.svg)\n")
	return b.String()
}

func maxAbs(r *testpeer.SyncReport) time.Duration {
	if r == nil {
		return 0
	}
	return r.MaxAbsOffset
}

func (r *soakReport) write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(r.summary()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "soak.svg"), []byte(soakSVG(r.Samples)), 0o644)
}
