package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/app/secret"
	"golive/outputs/dest"
)

// Labels of the row's live-control button.
const (
	labelStop  = "Stop"
	labelStart = "Start"
	labelTrust = "Trust this certificate"
)

// destRow is one destination: enable switch, type icon, name, masked
// target (elided in the middle), a short state badge; its figures (bitrate
// now and over the last minute, a one-minute sparkline, network drops,
// time offline); a message for people when something is wrong, with the
// technical text behind Details; and its actions, which wrap onto more
// lines rather than widen the window.
type destRow struct {
	l       *destList
	i       int
	d       profile.Destination
	object  fyne.CanvasObject
	enable  *widget.Check
	name    *widget.Label
	target  *middleLabel
	video   *widget.Label
	state   *widget.Label
	rate    *widget.Label
	avg     *widget.Label
	spark   *sparkline
	drops   *widget.Label
	offline *widget.Label
	proto   *widget.Label
	errMsg  *widget.Label
	note    *widget.Label
	toggle  *widget.Button
	retry   *widget.Button
	trust   *widget.Button
	details *widget.Button
	edit    *widget.Button
	remove  *widget.Button
	vlc     *widget.Button
	sdp     *widget.Button
	status  dest.Status
	prob    problem
	// flows are the wrapping lines (figures, actions); shape is what
	// their layout depends on at the last layout (see relayout).
	flows []*fyne.Container
	shape string
}

func newDestRow(l *destList, i int, d profile.Destination) *destRow {
	r := &destRow{l: l, i: i, d: d, spark: newSparkline()}
	r.enable = widget.NewCheck("", func(on bool) { l.setEnabled(i, on) })
	r.enable.Checked = d.Enabled
	r.name = widget.NewLabelWithStyle(d.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.target = newMiddleLabel(kindLabel(d) + "  " + targetText(d))
	r.video = widget.NewLabel("")
	r.video.Truncation = fyne.TextTruncateEllipsis
	r.video.Hide()
	r.state = widget.NewLabel("off")
	r.rate = widget.NewLabel(formatBitrate(0))
	r.avg = widget.NewLabel("")
	r.drops = widget.NewLabel("")
	r.offline = widget.NewLabel("")
	r.proto = widget.NewLabel("")
	r.proto.Hide()
	r.errMsg = widget.NewLabel("")
	r.errMsg.Wrapping = fyne.TextWrapWord
	r.errMsg.Hide()
	r.note = widget.NewLabel("")
	r.note.Wrapping = fyne.TextWrapWord
	r.note.Importance = widget.LowImportance
	r.note.Hide()
	r.buildActions()
	left := container.NewHBox(r.enable, widget.NewIcon(kindIcon(d)))
	line1 := container.NewBorder(nil, nil, left, r.state, container.NewVBox(r.name, r.target, r.video))
	figures := newFlow(container.NewHBox(r.rate, r.spark), r.avg, r.drops, r.offline, r.proto)
	actions := r.actions()
	r.flows = []*fyne.Container{figures, actions}
	r.object = container.NewVBox(line1, figures, r.errMsg, r.note, actions)
	r.update(dest.Status{Name: d.Name, State: dest.StateIdle})
	return r
}

func (r *destRow) buildActions() {
	l, d := r.l, r.d
	r.toggle = widget.NewButtonWithIcon(labelStop, theme.MediaStopIcon(), r.onToggle)
	r.retry = widget.NewButtonWithIcon("Retry now", theme.ViewRefreshIcon(), r.onRetry)
	r.trust = widget.NewButtonWithIcon(labelTrust, theme.ConfirmIcon(), func() { l.askTrust(r.i) })
	r.details = widget.NewButtonWithIcon("Details", theme.InfoIcon(), r.showDetails)
	r.edit = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { openDestDialog(l.w, r.i, r.d) })
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { l.askRemove(r.i) })
	if d.Kind == profile.KindRTP {
		r.vlc = widget.NewButtonWithIcon("Open in VLC", theme.MediaPlayIcon(), func() { l.openVLC(d.Name) })
		r.sdp = widget.NewButtonWithIcon("Copy SDP path", theme.ContentCopyIcon(), func() { l.copySDP(d) })
	}
}

// actions is the flow of the row's buttons.
func (r *destRow) actions() *fyne.Container {
	objs := []fyne.CanvasObject{r.toggle, r.retry, r.trust, r.details, r.edit, r.remove}
	if r.vlc != nil {
		objs = append(objs, r.vlc, r.sdp)
	}
	return newFlow(objs...)
}

// kindIcon picks the type icon of a destination.
func kindIcon(d profile.Destination) fyne.Resource {
	switch d.Kind {
	case profile.KindRTP:
		return theme.ComputerIcon()
	case profile.KindRecord:
		return theme.MediaRecordIcon()
	case profile.KindWHIP:
		return theme.MediaVideoIcon()
	}
	return theme.UploadIcon()
}

func (r *destRow) onRetry() {
	if r.l.w.live != nil {
		r.l.w.live.RetryNow(r.d.Name)
	}
}

// onToggle stops a running destination or starts a stopped one, while
// the others stay on air.
func (r *destRow) onToggle() {
	if _, active := r.l.inSession(r.d.Name); active {
		r.l.stopLive(r.d.Name)
	} else {
		r.l.startLive(r.d)
	}
}

// showDetails shows the technical text of the last error.
func (r *destRow) showDetails() {
	text := secret.RedactURLsInText(r.status.LastError)
	if text == "" {
		text = "No error."
	}
	msg := widget.NewLabel(r.prob.Message + "\n\nTechnical details:\n" + text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(r.d.Name, "Close", container.NewVScroll(msg), r.l.w.win)
	r.l.w.showDialog(d, fyne.NewSize(520, 280))
}

// update shows st: the badge follows the state the engine reports now.
func (r *destRow) update(st dest.Status) {
	r.status = st
	w := r.l.w
	text, lv := badgeFor(r.d, st, w.phase)
	setLabel(r.state, text, lv)
	setLabel(r.rate, formatBitrate(st.BitrateKbps), levelNormal)
	f := r.l.figuresOf(r.d.Name)
	if w.phase == phaseLive {
		r.spark.Add(st.BitrateKbps)
		f.add(time.Now(), st)
	}
	if w.phase == phaseLive && f.seen {
		setLabel(r.avg, "1 min avg "+formatBitrate(f.avgKbps()), levelNormal)
		setLabel(r.drops, f.dropText(), f.recentLevel())
		offLv := levelNormal
		if st.State == dest.StateReconnecting || st.State == dest.StateFailed {
			offLv = levelWarning
		}
		setLabel(r.offline, f.offlineText(), offLv)
	} else {
		setLabel(r.avg, "", levelNormal)
		setLabel(r.drops, "", levelNormal)
		setLabel(r.offline, "", levelNormal)
	}
	proto := ""
	if w.phase == phaseLive {
		proto = protoFigures(r.d.Kind, st.Detail)
	}
	setLabel(r.proto, proto, levelNormal)
	setVisible(r.proto, proto != "")
	r.showVideo()
	r.showProblem(st)
	r.showNote()
	r.updateControls()
	r.relayout()
}

// relayout lays the row and the list out again when a text or a button
// that sizes them changed (not on every poll).
func (r *destRow) relayout() {
	var b strings.Builder
	for _, o := range []fyne.CanvasObject{r.video, r.errMsg, r.note, r.toggle, r.retry, r.trust, r.details, r.avg, r.drops, r.offline, r.proto} {
		fmt.Fprintf(&b, "%v,", o.Visible())
	}
	for _, l := range []*widget.Label{r.video, r.state, r.rate, r.avg, r.drops, r.offline, r.proto, r.errMsg, r.note} {
		fmt.Fprintf(&b, "%d,", len(l.Text))
	}
	b.WriteString(r.toggle.Text)
	if b.String() == r.shape {
		return
	}
	r.shape = b.String()
	for _, f := range r.flows {
		f.Refresh()
	}
	r.object.Refresh()
	r.l.box.Refresh()
}

// showVideo shows the destination's own rendition ("720p30 · 3.0 Mb/s ·
// H.264", "vertical 1080x1920 · …"); nothing when it is the main one.
func (r *destRow) showVideo() {
	text := videoSummary(r.l.w.prof, r.d)
	if text != "" {
		text = "Video " + text
	}
	if r.l.laterVideo[r.d.Name] {
		text += " (from the next Go Live)"
	}
	setLabel(r.video, text, levelNormal)
	setVisible(r.video, text != "")
}

// showProblem shows the message for people, or the failed live change.
func (r *destRow) showProblem(st dest.Status) {
	r.prob = explain(r.d, st)
	msg := r.prob.Message
	if m := r.l.opErrs[r.d.Name]; m != "" {
		msg = m
	}
	setLabel(r.errMsg, msg, levelDanger)
	setVisible(r.errMsg, msg != "")
}

// showNote shows the last stream's summary once it has ended, or why an
// enabled destination cannot go live yet; while live, what the session
// notes about it (a fallback rendition, an adaptive bitrate, a server's
// misbehaviour).
func (r *destRow) showNote() {
	var lines []string
	lv := levelNormal
	if r.l.w.phase == phaseLive && r.status.Note != "" {
		lines = append(lines, r.status.Note)
	}
	if r.l.w.phase != phaseLive {
		if s := r.l.summaries[r.d.Name]; s != "" {
			lines = append(lines, s)
		}
		if needsKey(r.d) && r.d.Enabled {
			lines = append(lines, "Needs its stream key: edit the destination to add it.")
			lv = levelWarning
		}
		if p := r.l.w.limitProblems(r.d); len(p) > 0 && r.d.Enabled {
			lines = append(lines, "Above "+serviceName(r.d)+"'s limits: "+strings.Join(p, "; "))
			lv = levelWarning
		}
	}
	note := strings.Join(lines, "\n")
	setLabel(r.note, note, lv)
	if lv == levelNormal {
		r.note.Importance = widget.LowImportance
	}
	setVisible(r.note, note != "")
}

// updateControls shows the buttons that apply now.
func (r *destRow) updateControls() {
	w := r.l.w
	live := w.live != nil && w.phase == phaseLive
	waiting := r.status.State == dest.StateReconnecting || r.status.State == dest.StateFailed
	busy := r.l.pending[r.d.Name] > 0
	_, active := r.l.inSession(r.d.Name)
	if active {
		r.toggle.SetText(labelStop)
		r.toggle.SetIcon(theme.MediaStopIcon())
	} else {
		r.toggle.SetText(labelStart)
		r.toggle.SetIcon(theme.MediaPlayIcon())
	}
	setVisible(r.toggle, live)
	setEnabled(r.toggle, live && !busy)
	setVisible(r.retry, live && waiting)
	setEnabled(r.retry, live && waiting && !busy)
	setVisible(r.trust, r.prob.Cert && r.d.RTMP != nil)
	setVisible(r.details, r.status.LastError != "" && r.status.State != dest.StateLive)
	locked := w.destsLocked()
	setEnabled(r.enable, !locked && !busy)
	setEnabled(r.edit, !locked && !busy)
	setEnabled(r.remove, !locked && !busy)
}

func (r *destRow) setLocked(bool) { r.updateControls() }

// setVisible shows or hides o, refreshing only on change.
func setVisible(o fyne.CanvasObject, on bool) {
	if on == o.Visible() {
		return
	}
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}
