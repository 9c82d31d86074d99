package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"golive/media/capture"
	"golive/media/unit"
)

// simulate feeds the clock chunks of 10 ms whose capture times follow a
// device clock running at rate x real time, with jitter, and returns the
// worst offset reported and the total samples emitted.
func simulate(t *testing.T, c *audioClock, start time.Duration, rate float64, jitter time.Duration, d time.Duration) (worst time.Duration, emitted int64) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const n = 480
	for i := 0; ; i++ {
		// Chunk i holds device samples [i*n, (i+1)*n), captured at their
		// device time scaled to wall time.
		wall := start + time.Duration(float64(i*n)/48000/rate*float64(time.Second))
		if wall > d {
			return worst, emitted
		}
		if jitter > 0 {
			wall += time.Duration(r.Int64N(int64(2*jitter))) - jitter
		}
		out, off := c.align(capture.AudioChunk{Samples: make([]float32, 2*n), Time: c.epoch.Add(wall)})
		if len(out)%2 != 0 {
			t.Fatalf("odd sample count %d", len(out))
		}
		emitted += int64(len(out) / 2)
		if i > 0 && absDur(off) > worst {
			worst = absDur(off)
		}
	}
}

func TestAudioClockLateStartPadsSilence(t *testing.T) {
	c := &audioClock{epoch: time.Unix(1000, 0)}
	out, off := c.align(capture.AudioChunk{Samples: make([]float32, 960), Time: c.epoch.Add(200 * time.Millisecond)})
	if got := len(out) / 2; got != 480+9600 {
		t.Errorf("first chunk became %d frames, want 480 + 9600 of silence", got)
	}
	if off != 0 {
		t.Errorf("offset %v after alignment", off)
	}
}

func TestAudioClockStaysWithinTolerance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rate   float64
		jitter time.Duration
	}{
		{"exact", 1, 0},
		{"jitter", 1, 4 * time.Millisecond},
		{"fast device", 1.001, 2 * time.Millisecond}, // 3.6 s/hour ahead
		{"slow device", 0.999, 2 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &audioClock{epoch: time.Unix(1000, 0)}
			const run = 10 * time.Minute
			worst, emitted := simulate(t, c, 0, tc.rate, tc.jitter, run)
			if worst > 20*time.Millisecond {
				t.Errorf("offset reached %v", worst)
			}
			// The emitted samples must track wall time, not device time.
			if drift := samplesToDuration(emitted) - run; absDur(drift) > 30*time.Millisecond {
				t.Errorf("emitted %v of audio in %v", samplesToDuration(emitted), run)
			}
		})
	}
}

func TestMeterLevels(t *testing.T) {
	var m meter
	s := make([]float32, 2*4800)
	for i := range 4800 {
		v := float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/48000))
		s[2*i], s[2*i+1] = v, v
	}
	peak, rms, ok := m.add(s)
	if !ok || math.Abs(peak-(-6.02)) > 0.1 || math.Abs(rms-(-9.03)) > 0.1 {
		t.Errorf("sine 0.5: peak %.2f rms %.2f dB (ok %v), want -6.02 / -9.03", peak, rms, ok)
	}
	peak, rms, ok = m.add(make([]float32, 2*4800))
	if !ok || peak != MinDB || rms != MinDB {
		t.Errorf("silence: %v %v %v", peak, rms, ok)
	}
}

func TestTestSourceLevels(t *testing.T) {
	e := newTestEngine(t)
	collect(t, e, 700*time.Millisecond)
	st := e.Stats()
	// Tone at 0.1 x 1/8 full scale, -3 dB per channel (mono to stereo).
	if math.Abs(st.AudioPeakDB-(-41.07)) > 1 || st.AudioRMSDB > st.AudioPeakDB-2.5 {
		t.Errorf("levels peak %.2f rms %.2f dBFS", st.AudioPeakDB, st.AudioRMSDB)
	}
}

func runMic(t *testing.T, device string) (*Engine, []*unit.Packet) {
	e := &Engine{Config: Config{
		Video:       VideoSourceConfig{Kind: KindTest},
		Audio:       AudioSourceConfig{Kind: KindMic, Device: device},
		Width:       320,
		Height:      180,
		AudioCodecs: []unit.Codec{unit.CodecAAC},
	}}
	e.micBackends = []malgo.Backend{capture.BackendNull}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	_, audio := split(collect(t, e, 1500*time.Millisecond))
	return e, audio[unit.CodecAAC]
}

// TestMicrophoneNullDevice runs the engine on malgo's null capture device.
func TestMicrophoneNullDevice(t *testing.T) {
	e, aac := runMic(t, "")
	st := e.Stats()
	if st.AudioNote != "" || st.AudioPeakDB != MinDB {
		t.Errorf("note %q, peak %v", st.AudioNote, st.AudioPeakDB)
	}
	if absDur(st.AVOffset) > 20*time.Millisecond {
		t.Errorf("A/V offset %v", st.AVOffset)
	}
	checkAudio(t, aac, 1024)
}

// TestMicrophoneFallback asks for a device that does not exist: the
// engine sends silence and says so.
func TestMicrophoneFallback(t *testing.T) {
	e, aac := runMic(t, "studio mic 7")
	note := e.Stats().AudioNote
	if !strings.Contains(note, "studio mic 7") || !strings.Contains(note, "sending silence") {
		t.Errorf("note %q", note)
	}
	checkAudio(t, aac, 1024)
}
