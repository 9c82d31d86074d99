package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// Choices offered by the encoder panel.
var (
	sizeChoices       = []string{"1920x1080", "1600x900", "1280x720", "960x540", "854x480", "640x360"}
	fpsChoices        = []string{"24", "25", "30", "50", "60"}
	audioRateChoices  = []string{"64", "96", "128", "160", "192", "256", "320"}
	encoderAutoChoice = "auto"
)

// encoderPanel edits the single encode: output size, frame rate, video
// bitrate, encoder and preset, audio bitrate. Locked while live.
type encoderPanel struct {
	w       *mainWindow
	object  fyne.CanvasObject
	size    *widget.Select
	fps     *widget.Select
	vrate   *widget.Entry
	encoder *widget.Select
	preset  *widget.Select
	arate   *widget.Select
	// lockNote says why the fields are locked while live.
	lockNote *widget.Label
}

// lockedNote explains the sources and encoder locked while live.
const lockedNote = "Locked while live: sources and encoder settings need a new encoder. End the stream to change them; destinations can change now."

func newEncoderPanel(w *mainWindow) *encoderPanel {
	e := &encoderPanel{w: w}
	apply := func(string) { e.apply() }
	e.size = widget.NewSelect(sizeChoices, apply)
	e.fps = widget.NewSelect(fpsChoices, apply)
	e.vrate = widget.NewEntry()
	e.vrate.Validator = validateVideoKbps
	e.vrate.OnChanged = apply
	e.encoder = widget.NewSelect(e.encoderChoices(), apply)
	e.preset = widget.NewSelect(profile.X264Presets, apply)
	e.arate = widget.NewSelect(audioRateChoices, apply)
	form := widget.NewForm(
		widget.NewFormItem("Output size", e.size),
		widget.NewFormItem("Frame rate", e.fps),
		widget.NewFormItem("Video kb/s", e.vrate),
		widget.NewFormItem("Encoder", e.encoder),
		widget.NewFormItem("Preset", e.preset),
		widget.NewFormItem("Audio kb/s", e.arate),
	)
	e.lockNote = widget.NewLabel(lockedNote)
	e.lockNote.Wrapping = fyne.TextWrapWord
	e.lockNote.Importance = widget.LowImportance
	e.lockNote.Hide()
	e.object = container.NewVBox(heading("Encoder"), e.lockNote, form)
	return e
}

// encoderChoices lists the encoders the profile knows that this machine
// has, with "auto" first.
func (e *encoderPanel) encoderChoices() []string {
	out := []string{encoderAutoChoice}
	for _, name := range profile.VideoEncoders {
		if name == encoderAutoChoice {
			continue
		}
		if len(e.w.devices.Encoders) == 0 || slices.Contains(e.w.devices.Encoders, name) {
			out = append(out, name)
		}
	}
	return out
}

func validateVideoKbps(s string) error {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("enter the video bitrate in kb/s, a whole number")
	}
	if v*1000 < profile.MinVideoBitrate || v*1000 > profile.MaxVideoBitrate {
		return fmt.Errorf("video bitrate must be %d-%d kb/s", profile.MinVideoBitrate/1000, profile.MaxVideoBitrate/1000)
	}
	return nil
}

// show fills the fields from enc.
func (e *encoderPanel) show(enc profile.Encoder) {
	size := fmt.Sprintf("%dx%d", enc.Width, enc.Height)
	e.size.Options = appendMissing(sizeChoices, size)
	e.size.SetSelected(size)
	fps := strconv.Itoa(enc.FPS)
	e.fps.Options = appendMissing(fpsChoices, fps)
	e.fps.SetSelected(fps)
	e.vrate.SetText(strconv.Itoa(enc.VideoBitrate / 1000))
	name := enc.Encoder
	if name == "" {
		name = encoderAutoChoice
	}
	e.encoder.Options = appendMissing(e.encoderChoices(), name)
	e.encoder.SetSelected(name)
	e.preset.SetSelected(enc.Preset)
	ar := strconv.Itoa(enc.AudioBitrate / 1000)
	e.arate.Options = appendMissing(audioRateChoices, ar)
	e.arate.SetSelected(ar)
	e.updatePreset()
}

// apply writes valid fields back into the profile and saves it.
func (e *encoderPanel) apply() {
	if e.w.loading {
		return
	}
	enc := &e.w.prof.Encoder
	if w, h, err := profile.ParseSize(e.size.Selected); err == nil {
		enc.Width, enc.Height = w, h
	}
	if v, err := strconv.Atoi(e.fps.Selected); err == nil {
		enc.FPS = v
	}
	if e.vrate.Validate() == nil {
		v, _ := strconv.Atoi(strings.TrimSpace(e.vrate.Text))
		enc.VideoBitrate = v * 1000
	}
	enc.Encoder = e.encoder.Selected
	enc.Preset = e.preset.Selected
	if v, err := strconv.Atoi(e.arate.Selected); err == nil {
		enc.AudioBitrate = v * 1000
	}
	e.updatePreset()
	e.w.changed()
}

// updatePreset enables the preset only for x264, the encoder it belongs to.
func (e *encoderPanel) updatePreset() {
	x264 := e.encoder.Selected == "libx264" || e.encoder.Selected == encoderAutoChoice
	setEnabled(e.preset, x264 && !e.w.isBusy())
}

func (e *encoderPanel) setLocked(locked bool) {
	setVisible(e.lockNote, locked)
	for _, d := range []fyne.Disableable{e.size, e.fps, e.vrate, e.encoder, e.arate} {
		setEnabled(d, !locked)
	}
	e.updatePreset()
}
