package testpeer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lip-sync analysis of GoLive's test pattern (media/capture): once a
// second a full-frame white flash and a beep louder than the steady tone
// start at the same instant. Decoding the output and timing both onsets
// measures the audio/video offset the whole chain introduced.

// Analysis settings.
const (
	// syncWindow is the audio RMS window (a beep onset is timed to it).
	syncWindow = 5 * time.Millisecond
	// syncRate is the rate audio is resampled to before measuring.
	syncRate = 48000
	// minLumaContrast and minLevelContrast reject inputs without markers:
	// a flash raises the mean luma by far more, a beep the level by 20 dB.
	minLumaContrast  = 40.0
	minLevelContrast = 8.0
	// minMarkerGap debounces onsets: markers are one second apart.
	minMarkerGap = 0.5
	// maxPairDistance is how far apart a flash and a beep may be and still
	// belong to the same marker.
	maxPairDistance = 0.45
)

// SyncReport is what AVSync measured.
type SyncReport struct {
	// Flashes and Beeps are onset times in seconds (stream timestamps).
	Flashes []float64
	Beeps   []float64
	// Offsets are beep minus flash for each paired marker: positive when
	// the audio is late.
	Offsets []time.Duration
	// PairFlashes is the flash onset (seconds) of each entry of Offsets.
	PairFlashes []float64
	// MaxAbsOffset is the largest |offset|; MeanOffset their mean.
	MaxAbsOffset time.Duration
	MeanOffset   time.Duration
	// Unpaired counts flashes and beeps without a partner (markers cut at
	// the edges of the analysed span, or lost media).
	Unpaired int
}

// AVSync decodes up to dur of input (a file, URL, or SDP; inputArgs go
// before -i, dur <= 0 means all) with ffmpeg and times the test pattern's
// flash and beep onsets. It fails when either marker is missing.
func AVSync(ctx context.Context, input string, inputArgs []string, dur time.Duration) (*SyncReport, error) {
	dir, err := os.MkdirTemp("", "avsync")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	vFile, aFile := filepath.Join(dir, "luma.txt"), filepath.Join(dir, "level.txt")
	graph := fmt.Sprintf("[0:v:0]scale=64:36,signalstats,"+
		"metadata=mode=print:key=lavfi.signalstats.YAVG:file=%s[v];"+
		"[0:a:0]aresample=%d,asetnsamples=n=%d:p=0,"+
		"astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"+
		"ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file=%s[a]",
		vFile, syncRate, syncRate*int(syncWindow/time.Microsecond)/1e6, aFile)
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error"}, inputArgs...)
	args = append(args, "-i", input)
	if dur > 0 {
		args = append(args, "-t", strconv.FormatFloat(dur.Seconds(), 'f', 3, 64))
	}
	args = append(args, "-filter_complex", graph, "-map", "[v]", "-f", "null", "-", "-map", "[a]", "-f", "null", "-")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg a/v sync analysis of %s: %w: %s", input, err, strings.TrimSpace(string(out)))
	}
	luma, err := readMetadata(vFile)
	if err != nil {
		return nil, err
	}
	level, err := readMetadata(aFile)
	if err != nil {
		return nil, err
	}
	r := &SyncReport{}
	if r.Flashes, err = onsets(luma, minLumaContrast); err != nil {
		return nil, fmt.Errorf("video flash: %w", err)
	}
	if r.Beeps, err = onsets(level, minLevelContrast); err != nil {
		return nil, fmt.Errorf("audio beep: %w", err)
	}
	r.pair()
	if len(r.Offsets) == 0 {
		return r, fmt.Errorf("no flash and beep close enough to pair (flashes %v, beeps %v)", r.Flashes, r.Beeps)
	}
	return r, nil
}

// sample is one measured value at a stream time in seconds.
type sample struct {
	t, v float64
}

// readMetadata parses the output of the metadata filters' print mode:
// "frame:N pts:P pts_time:T" followed by "key=value".
func readMetadata(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read analysis: %w", err)
	}
	defer f.Close()
	var out []sample
	t := math.NaN()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "frame:") {
			t = math.NaN()
			if _, after, ok := strings.Cut(line, "pts_time:"); ok {
				t, _ = strconv.ParseFloat(strings.Fields(after)[0], 64)
			}
			continue
		}
		_, val, ok := strings.Cut(line, "=")
		if !ok || math.IsNaN(t) {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		out = append(out, sample{t, max(v, -200)})
	}
	return out, sc.Err()
}

// onsets returns the times at which the value rises through the midpoint
// between its low (5th percentile) and high (99th percentile) levels.
func onsets(s []sample, minContrast float64) ([]float64, error) {
	if len(s) < 2 {
		return nil, errors.New("nothing decoded")
	}
	vals := make([]float64, len(s))
	for i := range s {
		vals[i] = s[i].v
	}
	slices.Sort(vals)
	lo, hi := vals[len(vals)*5/100], vals[len(vals)*99/100]
	if hi-lo < minContrast {
		return nil, fmt.Errorf("no marker: levels span %.1f to %.1f", lo, hi)
	}
	thr := (lo + hi) / 2
	var out []float64
	last := math.Inf(-1)
	for i := 1; i < len(s); i++ {
		if s[i].v >= thr && s[i-1].v < thr && s[i].t-last >= minMarkerGap {
			out = append(out, s[i].t)
			last = s[i].t
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no onset found")
	}
	return out, nil
}

// pair matches each flash with the nearest beep and fills the offsets.
func (r *SyncReport) pair() {
	used := make([]bool, len(r.Beeps))
	var sum time.Duration
	for _, f := range r.Flashes {
		best := -1
		for j, b := range r.Beeps {
			if !used[j] && math.Abs(b-f) <= maxPairDistance && (best < 0 || math.Abs(b-f) < math.Abs(r.Beeps[best]-f)) {
				best = j
			}
		}
		if best < 0 {
			r.Unpaired++
			continue
		}
		used[best] = true
		off := time.Duration(math.Round((r.Beeps[best] - f) * float64(time.Second)))
		r.Offsets = append(r.Offsets, off)
		r.PairFlashes = append(r.PairFlashes, f)
		sum += off
		r.MaxAbsOffset = max(r.MaxAbsOffset, off.Abs())
	}
	for _, u := range used {
		if !u {
			r.Unpaired++
		}
	}
	if n := len(r.Offsets); n > 0 {
		r.MeanOffset = sum / time.Duration(n)
	}
}
