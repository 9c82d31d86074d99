package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// statusBar is the line at the bottom: total upload, frame rate, skipped
// and dropped frames (coloured over 1% and 5%), and GoLive's CPU use.
type statusBar struct {
	object  fyne.CanvasObject
	upload  *widget.Label
	fps     *widget.Label
	skipped *widget.Label
	dropped *widget.Label
	cpu     *widget.Label
}

func newStatusBar() *statusBar {
	s := &statusBar{}
	s.upload = widget.NewLabel("")
	s.fps = widget.NewLabel("")
	s.skipped = widget.NewLabel("")
	s.dropped = widget.NewLabel("")
	s.cpu = widget.NewLabel("")
	s.reset()
	s.object = container.NewHBox(s.upload, widget.NewSeparator(), s.fps, widget.NewSeparator(),
		s.skipped, widget.NewSeparator(), s.dropped, widget.NewSeparator(), s.cpu)
	return s
}

func (s *statusBar) reset() {
	setLabel(s.upload, "Upload "+formatBitrate(0), levelNormal)
	setLabel(s.fps, "0.0 fps", levelNormal)
	setLabel(s.skipped, "Skipped "+formatRatio(0, 0), levelNormal)
	setLabel(s.dropped, "Network drops "+formatRatio(0, 0), levelNormal)
	s.relayout()
}

func (s *statusBar) showIdle(cpu float64) {
	setLabel(s.cpu, formatCPU(cpu), levelNormal)
}

// show displays a live snapshot; up is what leaves the machine and what
// goes to servers on it; net are the network drops of every
// destination (drops while a destination was offline are not counted:
// its row shows its time offline), coloured by the last ten seconds.
func (s *statusBar) show(st Stats, up uploadFigures, net dropFigures, cpu float64) {
	setLabel(s.upload, up.String(), levelNormal)
	setLabel(s.fps, fmt.Sprintf("%.1f fps", st.FPS), levelNormal)
	setLabel(s.skipped, "Skipped "+formatRatio(st.Skipped, st.Captured), ratioLevel(st.Skipped, st.Captured))
	setLabel(s.dropped, "Network drops "+formatRatio(net.drops, net.drops+net.frames), net.level)
	setLabel(s.cpu, formatCPU(cpu), levelNormal)
	s.relayout()
}

// relayout lays the bar out again (its labels change width).
func (s *statusBar) relayout() {
	if s.object != nil {
		s.object.Refresh()
	}
}

func formatCPU(pct float64) string {
	if pct < 0 {
		return "CPU –"
	}
	return fmt.Sprintf("CPU %.0f%%", pct)
}

// uploadFigures split the network destinations' bitrate into what leaves
// the machine (upload) and what goes to a server on it (local: an RTP
// preview, a local nginx), which uses no upload.
type uploadFigures struct{ upload, local float64 }

func (u uploadFigures) String() string {
	s := "Upload " + formatBitrate(u.upload)
	if u.local > 0 {
		s += " · local " + formatBitrate(u.local)
	}
	return s
}
