package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/app/secret"
	"golive/outputs/dest"
)

// destRow is one destination: enable switch, type icon, name, masked
// target, state badge, live bitrate with a one-minute sparkline, drops,
// and its actions.
type destRow struct {
	l      *destList
	i      int
	d      profile.Destination
	object fyne.CanvasObject
	enable *widget.Check
	state  *widget.Label
	rate   *widget.Label
	spark  *sparkline
	drops  *widget.Label
	errMsg *widget.Label
	retry  *widget.Button
	edit   *widget.Button
	remove *widget.Button
	vlc    *widget.Button
	sdp    *widget.Button
	status dest.Status
	// badgeLen is the state text's length at the last layout.
	badgeLen int
}

func newDestRow(l *destList, i int, d profile.Destination) *destRow {
	r := &destRow{l: l, i: i, d: d, spark: newSparkline()}
	r.enable = widget.NewCheck("", func(on bool) {
		r.d.Enabled = on
		l.setEnabled(i, on)
		r.update(r.status)
	})
	r.enable.Checked = d.Enabled
	name := widget.NewLabelWithStyle(d.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	target := widget.NewLabel(kindLabel(d) + "  " + targetText(d))
	target.Truncation = fyne.TextTruncateEllipsis
	r.state = widget.NewLabel("off")
	r.rate = widget.NewLabel(formatBitrate(0))
	r.drops = widget.NewLabel("drops 0")
	r.errMsg = widget.NewLabel("")
	r.errMsg.Wrapping = fyne.TextWrapWord
	r.errMsg.Hide()
	r.retry = widget.NewButtonWithIcon("Retry now", theme.ViewRefreshIcon(), r.onRetry)
	r.edit = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { openDestDialog(l.w, i, d) })
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { l.askRemove(i) })
	actions := container.NewHBox(r.retry, r.edit, r.remove)
	if d.Kind == profile.KindRTP {
		r.vlc = widget.NewButtonWithIcon("Open in VLC", theme.MediaPlayIcon(), func() { l.openVLC(d.Name) })
		r.sdp = widget.NewButtonWithIcon("Copy SDP path", theme.ContentCopyIcon(), func() { l.copySDP(d) })
		actions.Add(r.vlc)
		actions.Add(r.sdp)
	}
	left := container.NewHBox(r.enable, widget.NewIcon(kindIcon(d)))
	line1 := container.NewBorder(nil, nil, left, r.state, container.NewVBox(name, target))
	figures := container.NewHBox(r.rate, r.spark, r.drops)
	line2 := container.NewBorder(nil, nil, figures, actions)
	r.object = container.NewVBox(line1, line2, r.errMsg)
	r.badgeLen = -1
	r.update(dest.Status{Name: d.Name, State: dest.StateIdle})
	return r
}

// kindIcon picks the type icon of a destination.
func kindIcon(d profile.Destination) fyne.Resource {
	switch d.Kind {
	case profile.KindRTP:
		return theme.ComputerIcon()
	case profile.KindRecord:
		return theme.MediaRecordIcon()
	}
	return theme.UploadIcon()
}

func (r *destRow) onRetry() {
	if r.l.w.live != nil {
		r.l.w.live.RetryNow(r.d.Name)
	}
}

// update shows st; a destination that is switched off says "off".
func (r *destRow) update(st dest.Status) {
	r.status = st
	text, lv := badge(st)
	if st.State == dest.StateIdle || st.State == dest.StateStopped {
		text, lv = "off", levelNormal
		if r.d.Enabled && r.l.w.phase == phaseIdle {
			text = "ready"
		}
	}
	setLabel(r.state, text, lv)
	setLabel(r.rate, formatBitrate(st.BitrateKbps), levelNormal)
	if r.l.w.phase == phaseLive {
		r.spark.Add(st.BitrateKbps)
	}
	dropLv := ratioLevel(st.Dropped, st.Dropped+st.FramesSent)
	setLabel(r.drops, "drops "+formatRatio(st.Dropped, st.Dropped+st.FramesSent), dropLv)
	showErr := st.LastError != "" && st.State != dest.StateLive
	if showErr {
		setLabel(r.errMsg, fmt.Sprintf("Last error: %s", secret.RedactURLsInText(st.LastError)), levelDanger)
	}
	r.updateRetry()
	// Lay the row out again when its text changes size.
	if showErr != r.errMsg.Visible() || len(text) != r.badgeLen {
		r.badgeLen = len(text)
		r.errMsg.Hidden = !showErr
		r.object.Refresh()
	}
}

// updateRetry enables Retry now while the destination waits to reconnect.
func (r *destRow) updateRetry() {
	waiting := r.status.State == dest.StateReconnecting || r.status.State == dest.StateFailed
	setEnabled(r.retry, r.l.w.live != nil && waiting)
}

func (r *destRow) setLocked(locked bool) {
	setEnabled(r.enable, !locked)
	setEnabled(r.edit, !locked)
	setEnabled(r.remove, !locked)
	r.updateRetry()
}
