package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// Button labels of the big action button.
const (
	labelGoLive   = "Go Live"
	labelStarting = "Starting…"
	labelEnd      = "End Stream"
	labelEnding   = "Ending…"
)

// defaultUploadWarnKbps is the total upload from which Go Live asks for
// confirmation when the user's upload capacity is not known.
const defaultUploadWarnKbps = 20_000

// goLivePanel is the big Go Live / End Stream button and the elapsed time.
type goLivePanel struct {
	w       *mainWindow
	object  fyne.CanvasObject
	button  *widget.Button
	elapsed *widget.Label
	// reason says why Go Live is disabled (a field is invalid).
	reason *widget.Label
}

func newGoLivePanel(w *mainWindow) *goLivePanel {
	g := &goLivePanel{w: w}
	g.button = widget.NewButtonWithIcon(labelGoLive, theme.MediaRecordIcon(), w.toggleLive)
	g.button.Importance = widget.HighImportance
	g.elapsed = widget.NewLabelWithStyle("00:00:00", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(240, 48))
	hint := widget.NewLabel("Ctrl+Enter")
	hint.Importance = widget.LowImportance
	g.reason = widget.NewLabel("")
	g.reason.Wrapping = fyne.TextWrapWord
	g.reason.Hide()
	g.object = container.NewVBox(g.reason,
		container.NewBorder(nil, nil, hint, g.elapsed, container.NewStack(tall, g.button)))
	return g
}

// fieldProblems lists the fields whose text is not a valid value: Go Live
// waits until they are fixed, so the value used is always the one shown.
func (w *mainWindow) fieldProblems() []string {
	var out []string
	for _, f := range []struct {
		label string
		e     *widget.Entry
	}{{"Video kb/s", w.encoder.vrate}, {"Region", w.sources.region}} {
		if err := f.e.Validate(); err != nil {
			msg := err.Error()
			if !strings.HasPrefix(strings.ToLower(msg), strings.ToLower(f.label)) {
				msg = f.label + ": " + msg
			}
			out = append(out, msg)
		}
	}
	return out
}

// updateGoLive disables Go Live, saying why, while a field is invalid.
func (w *mainWindow) updateGoLive() {
	if w.action == nil || w.encoder == nil || w.sources == nil {
		return
	}
	g := w.action
	problems := w.fieldProblems()
	if w.phase != phaseIdle || len(problems) == 0 {
		setVisible(g.reason, false)
		if w.phase == phaseIdle {
			setEnabled(g.button, true)
		}
		return
	}
	setLabel(g.reason, "Go Live waits for: "+strings.Join(problems, "; "), levelDanger)
	setVisible(g.reason, true)
	setEnabled(g.button, false)
}

func (g *goLivePanel) showPhase(p phase) {
	text, icon, imp, enabled := labelGoLive, theme.MediaRecordIcon(), widget.HighImportance, true
	switch p {
	case phaseStarting:
		text, enabled = labelStarting, false
	case phaseLive:
		text, icon, imp = labelEnd, theme.MediaStopIcon(), widget.DangerImportance
	case phaseEnding:
		text, icon, imp, enabled = labelEnding, theme.MediaStopIcon(), widget.DangerImportance, false
	}
	g.button.Text, g.button.Icon, g.button.Importance = text, icon, imp
	g.button.Refresh()
	setEnabled(g.button, enabled)
	if p == phaseIdle {
		g.elapsed.SetText("00:00:00")
	}
}

func (w *mainWindow) addShortcuts() {
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter} {
		w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierControl},
			func(fyne.Shortcut) { w.toggleLive() })
	}
}

// toggleLive is the action button, the shortcut and the tray item.
func (w *mainWindow) toggleLive() {
	if w.modalOpen() {
		return // a dialog is open: answer it first, never a second one
	}
	switch w.phase {
	case phaseIdle:
		if len(w.fieldProblems()) > 0 {
			w.updateGoLive()
			return
		}
		w.requestGoLive()
	case phaseLive:
		w.confirmEnd("End the stream for every destination?", func() { w.endStream(nil) })
	}
}

// requestGoLive runs the checks, asks about warnings, then goes live.
func (w *mainWindow) requestGoLive() {
	problems, warnings := w.preflight(w.prof)
	if len(problems) > 0 {
		w.showProblems("Cannot go live", problems)
		return
	}
	if len(warnings) == 0 {
		w.startStream()
		return
	}
	msg := bulletList(dedupe(warnings)) + "\n\nGo back and fix, or go live anyway?"
	d := dialog.NewConfirm("Check before going live", msg, func(ok bool) {
		if ok && w.phase == phaseIdle {
			w.startStream()
		}
	}, w.win)
	d.SetConfirmText(labelGoLiveAnyway)
	d.SetConfirmImportance(widget.WarningImportance)
	d.SetDismissText(labelGoBack)
	w.showConfirm(d, false)
}

// Answers of the Go Live check; going back is the default (Enter).
const (
	labelGoLiveAnyway = "Go live anyway"
	labelGoBack       = "Go back and fix"
)

// dedupe drops repeated lines, keeping the first of each.
func dedupe(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// preflight returns what prevents going live with p, and what deserves
// a confirmation.
func (w *mainWindow) preflight(p profile.Profile) (problems, warnings []string) {
	enabled := 0
	for _, d := range p.Destinations {
		if d.Enabled {
			enabled++
		}
	}
	if enabled == 0 {
		problems = append(problems, "No destination is enabled: switch one on, or add one.")
	}
	for _, fe := range profile.FieldErrors(p.ValidateForLive()) {
		if fe.Field == "destinations" || fe.Dest >= 0 && !p.Destinations[fe.Dest].Enabled {
			continue
		}
		problems = append(problems, forPeople(fe))
	}
	if p.Capture.Source == profile.SourceScreen && len(w.devices.Screens) == 0 {
		problems = append(problems, "No screen to capture was found (no display): choose Test pattern as the video source.")
	}
	warnings = append(warnings, w.engine.Check(p)...)
	if c, ok := w.engine.(cpuChecker); ok {
		if msg := c.CheckCPU(p); msg != "" {
			warnings = append(warnings, msg)
		}
	}
	if kbps, n := uploadKbps(p); n > 0 {
		limit := float64(w.opts.UploadKbps) * 0.8
		if limit <= 0 {
			limit = defaultUploadWarnKbps
		}
		if kbps > limit {
			warnings = append(warnings, fmt.Sprintf(
				"The %d network destinations need %s of upload in total: make sure your connection sustains it.",
				n, formatBitrate(kbps)))
		}
	}
	return dedupe(problems), dedupe(warnings)
}

// cpuChecker is implemented by engines that estimate the encoders' CPU
// before going live (sessionEngine: session.CheckCPU).
type cpuChecker interface {
	CheckCPU(p profile.Profile) string
}

// uploadKbps is the upload the enabled network destinations need.
func uploadKbps(p profile.Profile) (float64, int) {
	per := float64(p.Encoder.VideoBitrate+p.Encoder.AudioBitrate) / 1000
	n := 0
	for _, d := range p.Destinations {
		if d.Enabled && d.Kind != profile.KindRecord && !isLoopback(d) {
			n++
		}
	}
	return per * float64(n), n
}

// isLoopback reports whether d sends to this machine (an RTP preview, a
// local RTMP, SRT or WHIP server): that is no upload.
func isLoopback(d profile.Destination) bool {
	var h string
	switch {
	case d.RTP != nil:
		h = d.RTP.Host
	case d.RTMP != nil, d.SRT != nil, d.WHIP != nil:
		h = destHost(d)
	default:
		return false
	}
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

func (w *mainWindow) startStream() {
	w.stopMonitor() // the stream opens the device itself
	w.phase = phaseStarting
	w.notices.Clear("engine")
	w.applyPhase()
	p := w.prof.Clone()
	w.goAsync(func() func() {
		live, err := w.engine.Start(p)
		return func() { w.onStarted(live, err) }
	})
}

func (w *mainWindow) onStarted(live Live, err error) {
	if err != nil {
		w.phase = phaseIdle
		w.applyPhase()
		w.notices.Set("engine", "Could not go live: "+err.Error(), levelDanger)
		w.showError("Could not go live", err)
		return
	}
	w.live = live
	w.keepRestoreToken(live)
	w.last = Stats{}
	w.phase = phaseLive
	w.pace.reset(time.Now())
	w.dests.startStream()
	w.preview.setLive(true)
	if m, ok := muter(live); ok && w.muted {
		m.SetMuted(true)
	}
	w.applyPhase()
	w.tick()
}

// keepRestoreToken saves the desktop portal's restore token in the
// profile (Wayland), so that the next Go Live shares the same monitor
// without the desktop asking again.
func (w *mainWindow) keepRestoreToken(live Live) {
	t, ok := live.(interface{ RestoreToken() string })
	if !ok {
		return
	}
	tok := t.RestoreToken()
	if tok == "" || tok == w.prof.Capture.PortalRestoreToken {
		return
	}
	w.prof.Capture.PortalRestoreToken = tok
	if err := w.store.Put(w.prof); err != nil {
		w.notices.Set("save", "Could not save the screen sharing permission: "+err.Error(), levelWarning)
	}
}

// confirmEnd asks before ending the stream.
func (w *mainWindow) confirmEnd(msg string, then func()) {
	d := dialog.NewConfirm(labelEnd, msg, func(ok bool) {
		if ok && w.phase == phaseLive {
			then()
		}
	}, w.win)
	d.SetConfirmText(labelEnd)
	d.SetConfirmImportance(widget.DangerImportance)
	w.showConfirm(d, true)
}

// endStream closes the session off Fyne's goroutine, then returns to idle.
func (w *mainWindow) endStream(then func()) {
	live := w.live
	if live == nil {
		return
	}
	w.phase = phaseEnding
	w.applyPhase()
	w.goAsync(func() func() {
		live.Close()
		return func() {
			w.onEnded(nil)
			if then != nil {
				then()
			}
		}
	})
}

// onEnded returns to idle; err is the engine error that stopped the
// stream, shown where the user sees it.
func (w *mainWindow) onEnded(err error) {
	w.live = nil
	w.phase = phaseIdle
	w.preview.setLive(false)
	w.dests.endStream()
	w.status.reset()
	w.sources.meter.SetLevel(meterFloor)
	w.applyPhase()
	if err != nil {
		w.notices.Set("engine", "The stream stopped: "+err.Error(), levelDanger)
		w.showError("The stream stopped", err)
	}
}

func (w *mainWindow) showProblems(title string, problems []string) {
	label := widget.NewLabel(bulletList(problems))
	label.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "OK", container.NewVScroll(label), w.win)
	w.showDialog(d, fyne.NewSize(520, 260))
}

func bulletList(items []string) string {
	return "• " + strings.Join(items, "\n• ")
}
