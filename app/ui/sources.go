package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// Labels of the fixed choices in the source pickers.
const (
	optTestPattern = "Test pattern"
	optScreenPfx   = "Screen "
	optTestTone    = "Test tone"
	optSilence     = "None (silence)"
	optMicPfx      = "Microphone: "
	optDefaultMic  = "Microphone (default)"
	noMicNote      = "No microphone found: the stream carries silence. Pick Test tone to check audio."
)

// sourcesPanel picks what is captured: a screen (whole or a region) or
// the test pattern, and a microphone, the test tone or silence. It shows
// the live level meter with mute.
type sourcesPanel struct {
	w      *mainWindow
	object fyne.CanvasObject
	video  *widget.Select
	region *widget.Entry
	cursor *widget.Check
	audio  *widget.Select
	mute   *widget.Check
	meter  *levelMeter
	micMsg *widget.Label
	note   *widget.Label
}

func newSourcesPanel(w *mainWindow) *sourcesPanel {
	s := &sourcesPanel{w: w, meter: newLevelMeter()}
	s.video = widget.NewSelect(s.videoOptions(), func(string) { s.onVideo() })
	s.region = widget.NewEntry()
	s.region.SetPlaceHolder("whole screen, or X,Y,W,H")
	s.region.Validator = s.validateRegion
	s.region.OnChanged = func(string) { s.apply() }
	s.cursor = widget.NewCheck("Show cursor", func(bool) { s.apply() })
	s.audio = widget.NewSelect(s.audioOptions(), func(string) { s.apply() })
	s.mute = widget.NewCheck("Mute", s.setMuted)
	s.micMsg = widget.NewLabel("")
	s.micMsg.Wrapping = fyne.TextWrapWord
	setLabel(s.micMsg, noMicNote, levelWarning)
	s.micMsg.Hide()
	s.note = widget.NewLabel("")
	s.note.Wrapping = fyne.TextWrapWord
	s.note.Hide()
	form := widget.NewForm(
		widget.NewFormItem("Video", s.video),
		widget.NewFormItem("Region", s.region),
		widget.NewFormItem("", s.cursor),
		widget.NewFormItem("Audio", s.audio),
		widget.NewFormItem("Level", container.NewBorder(nil, nil, nil, s.mute, s.meter)),
	)
	s.object = container.NewVBox(heading("Sources"), form, s.micMsg, s.note)
	return s
}

func (s *sourcesPanel) videoOptions() []string {
	opts := []string{optTestPattern}
	for _, sc := range s.w.devices.Screens {
		opts = append(opts, optScreenPfx+sc.Label)
	}
	return opts
}

// screenFor returns the picker's screen for a label.
func (s *sourcesPanel) screenFor(option string) (Screen, bool) {
	for _, sc := range s.w.devices.Screens {
		if optScreenPfx+sc.Label == option {
			return sc, true
		}
	}
	return Screen{}, false
}

// screenOption picks the option showing c: its monitor, else its whole
// display, else a new option for a display this machine lacks.
func (s *sourcesPanel) screenOption(c profile.Capture) string {
	var whole string
	for _, sc := range s.w.devices.Screens {
		if sc.Display != c.Display && c.Display != "" {
			continue
		}
		if sc.Region != "" && sc.Region == c.Region {
			return optScreenPfx + sc.Label
		}
		if sc.Region == "" && whole == "" {
			whole = optScreenPfx + sc.Label
		}
	}
	if whole != "" {
		return whole
	}
	label := c.Display
	if label == "" {
		label = "(default)"
	}
	s.video.Options = appendMissing(s.video.Options, optScreenPfx+label)
	return optScreenPfx + label
}

func (s *sourcesPanel) audioOptions() []string {
	var opts []string
	if len(s.w.devices.Microphones) > 0 {
		opts = append(opts, optDefaultMic)
	}
	for _, m := range s.w.devices.Microphones {
		opts = append(opts, optMicPfx+m)
	}
	return append(opts, optTestTone, optSilence)
}

// show selects the options matching c.
func (s *sourcesPanel) show(c profile.Capture) {
	if c.Source == profile.SourceTest {
		s.video.SetSelected(optTestPattern)
	} else {
		s.video.SetSelected(s.screenOption(c))
	}
	s.region.SetText(c.Region)
	s.cursor.SetChecked(c.Cursor)
	s.audio.SetSelected(audioOption(c))
	s.showMicNote()
}

// showMicNote tells that no microphone was found, unless the test tone
// is what the stream carries anyway.
func (s *sourcesPanel) showMicNote() {
	if len(s.w.devices.Microphones) == 0 && s.audio.Selected != optTestTone {
		s.micMsg.Show()
	} else {
		s.micMsg.Hide()
	}
}

func audioOption(c profile.Capture) string {
	switch {
	case c.Audio == profile.AudioTest:
		return optTestTone
	case c.Audio == profile.AudioNone:
		return optSilence
	case c.AudioDevice != "":
		return optMicPfx + c.AudioDevice
	}
	return optDefaultMic
}

// apply writes the pickers back into the profile and saves it.
func (s *sourcesPanel) apply() {
	if s.w.loading {
		return
	}
	c := &s.w.prof.Capture
	if v := s.video.Selected; v == optTestPattern {
		c.Source, c.Display = profile.SourceTest, ""
	} else if sc, ok := s.screenFor(v); ok {
		c.Source, c.Display = profile.SourceScreen, sc.Display
	} else if strings.HasPrefix(v, optScreenPfx) {
		c.Source, c.Display = profile.SourceScreen, strings.TrimPrefix(v, optScreenPfx)
		if c.Display == "(default)" {
			c.Display = ""
		}
	}
	if s.region.Validate() == nil {
		c.Region = strings.TrimSpace(s.region.Text)
	}
	c.Cursor = s.cursor.Checked
	switch a := s.audio.Selected; {
	case a == optTestTone:
		c.Audio, c.AudioDevice = profile.AudioTest, ""
	case a == optSilence:
		c.Audio, c.AudioDevice = profile.AudioNone, ""
	case a == optDefaultMic:
		c.Audio, c.AudioDevice = profile.AudioMic, ""
	case strings.HasPrefix(a, optMicPfx):
		c.Audio, c.AudioDevice = profile.AudioMic, strings.TrimPrefix(a, optMicPfx)
	}
	s.showMicNote()
	s.w.changed()
}

// onVideo applies a new video choice; a monitor sets its rectangle as
// the region.
func (s *sourcesPanel) onVideo() {
	if sc, ok := s.screenFor(s.video.Selected); ok && sc.Region != "" && !s.w.loading {
		s.w.loading = true
		s.region.SetText(sc.Region)
		s.w.loading = false
	}
	s.apply()
}

func (s *sourcesPanel) setMuted(m bool) {
	s.w.muted = m
	s.meter.SetMuted(m)
	if mu, ok := muter(s.w.live); ok {
		mu.SetMuted(m)
	}
}

// setLocked disables the pickers while live (a change needs a restart).
// Mute works only on a live session that supports it.
func (s *sourcesPanel) setLocked(locked bool) {
	for _, d := range []fyne.Disableable{s.video, s.region, s.cursor, s.audio} {
		setEnabled(d, !locked)
	}
	_, canMute := muter(s.w.live)
	setEnabled(s.mute, locked && canMute)
}

// update shows the live audio level and the engine's note about audio.
func (s *sourcesPanel) update(st Stats) {
	s.meter.SetLevel(st.PeakDB)
	if st.AudioNote == "" {
		s.note.Hide()
		return
	}
	setLabel(s.note, "Audio: "+st.AudioNote, levelWarning)
	s.note.Show()
}

func appendMissing(opts []string, v string) []string {
	for _, o := range opts {
		if o == v {
			return opts
		}
	}
	return append(opts, v)
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// validateRegion checks the region as typed: "X,Y,W,H" inside the chosen
// screen (when its size is known), or empty for the whole screen.
func (s *sourcesPanel) validateRegion(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	r, err := profile.ParseRegion(v)
	if err != nil {
		return fmt.Errorf("%w (X,Y,W,H in pixels, or empty for the whole screen)", err)
	}
	sc, ok := s.screenFor(s.video.Selected)
	if ok && sc.Size.X > 0 && (r.X+r.W > sc.Size.X || r.Y+r.H > sc.Size.Y) {
		return fmt.Errorf("region %s is outside the %dx%d screen: make it smaller or move it", v, sc.Size.X, sc.Size.Y)
	}
	return nil
}
