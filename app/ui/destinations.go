package ui

import (
	"fmt"
	"os"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// destList shows the current profile's destinations, one row each, with
// the Add button above them.
type destList struct {
	w      *mainWindow
	object fyne.CanvasObject
	box    *fyne.Container
	scroll *container.Scroll
	add    *widget.Button
	empty  *widget.Label
	rows   []*destRow
	// pending counts the live operations queued per destination name,
	// opErrs holds the last failed one's message; lastOp is closed when
	// the last queued operation has run (see liveOp).
	pending map[string]int
	opErrs  map[string]string
	lastOp  chan struct{}
	// figs are the figures of the current (or last) stream per name;
	// summaries the last stream's, shown on the rows once it ended.
	figs      map[string]*figures
	summaries map[string]string
	// laterVideo names the destinations whose saved video waits for the
	// next Go Live (no running encoder makes it).
	laterVideo map[string]bool
}

func newDestList(w *mainWindow) *destList {
	l := &destList{w: w, box: container.NewVBox(), pending: map[string]int{}, opErrs: map[string]string{},
		figs: map[string]*figures{}, summaries: map[string]string{}, laterVideo: map[string]bool{}}
	l.add = widget.NewButtonWithIcon("Add destination", theme.ContentAddIcon(), l.askAdd)
	l.empty = widget.NewLabel("No destination yet: add one to go live.")
	header := container.NewBorder(nil, nil, heading("Destinations"), l.add)
	l.scroll = container.NewVScroll(l.box)
	// The window never gets so small that not one row shows.
	l.scroll.SetMinSize(fyne.NewSize(0, destListMinHeight))
	l.object = container.NewBorder(header, nil, nil, nil, l.scroll)
	return l
}

// destListMinHeight is the destination list's least height: one row
// (145 units with GoLive's theme) and a little of the next.
const destListMinHeight = 160

// show rebuilds the rows for ds.
func (l *destList) show(ds []profile.Destination) {
	l.box.RemoveAll()
	l.rows = l.rows[:0]
	if len(ds) == 0 {
		l.box.Add(l.empty)
	}
	for i := range ds {
		r := newDestRow(l, i, ds[i])
		l.rows = append(l.rows, r)
		l.box.Add(r.object)
		l.box.Add(widget.NewSeparator())
	}
	l.setLocked(l.w.destsLocked())
}

// row returns the row of the named destination.
func (l *destList) row(name string) *destRow {
	for _, r := range l.rows {
		if r.d.Name == name {
			return r
		}
	}
	return nil
}

// setLocked locks the list while the stream starts or ends; while live
// every destination can be changed (see livecontrol.go).
func (l *destList) setLocked(locked bool) {
	setEnabled(l.add, !locked)
	for _, r := range l.rows {
		r.setLocked(locked)
	}
}

// update shows a stats snapshot on every row.
func (l *destList) update(st Stats) {
	for _, r := range l.rows {
		s, ok := st.output(r.d.Name)
		if !ok {
			s = dest.Status{Name: r.d.Name, State: dest.StateStopped}
		}
		r.update(s)
	}
}

// figuresOf returns the figures of the named destination.
func (l *destList) figuresOf(name string) *figures {
	f, ok := l.figs[name]
	if !ok {
		f = &figures{}
		l.figs[name] = f
	}
	return f
}

// startStream clears the figures of the last stream.
func (l *destList) startStream() {
	l.figs = map[string]*figures{}
	l.summaries = map[string]string{}
	l.opErrs = map[string]string{}
	l.laterVideo = map[string]bool{}
	l.reset()
}

// endStream keeps each destination's summary of the stream that ended.
func (l *destList) endStream() {
	for name, f := range l.figs {
		if s := f.summary(); s != "" {
			l.summaries[name] = s
		}
	}
	l.opErrs = map[string]string{}
	l.laterVideo = map[string]bool{}
	l.reset()
}

// reset shows every row idle.
func (l *destList) reset() {
	for _, r := range l.rows {
		r.spark.Reset()
		r.update(dest.Status{Name: r.d.Name, State: dest.StateIdle})
	}
}

func (l *destList) askAdd() {
	openDestDialog(l.w, -1, profile.Destination{Kind: profile.KindRTMP, Enabled: true})
}

// put stores d at index i (or appends it when i < 0) after checking its
// name is unique, then saves and redraws.
func (l *destList) put(i int, d profile.Destination) error {
	for j, o := range l.w.prof.Destinations {
		if j != i && o.Name == d.Name {
			return fmt.Errorf("another destination is already named %q", d.Name)
		}
	}
	var old profile.Destination
	if i < 0 {
		l.w.prof.Destinations = append(l.w.prof.Destinations, d)
	} else {
		old = l.w.prof.Destinations[i]
		l.w.prof.Destinations[i] = d
	}
	l.w.changed()
	l.show(l.w.prof.Destinations)
	l.update(l.w.last)
	l.putLive(old, d) // last: its result comes back from another goroutine
	return nil
}

// setEnabled switches destination i on or off in the profile and, while
// live, starts or stops it on the running stream.
func (l *destList) setEnabled(i int, on bool) {
	if l.w.loading || i >= len(l.w.prof.Destinations) {
		return
	}
	d := &l.w.prof.Destinations[i]
	d.Enabled = on
	l.w.changed()
	if r := l.row(d.Name); r != nil {
		r.d.Enabled = on
		r.update(r.status)
	}
	if l.w.phase == phaseLive {
		if on {
			l.startLive(*d)
		} else {
			l.stopLive(d.Name)
		}
	}
}

func (l *destList) remove(i int) {
	name := l.w.prof.Destinations[i].Name
	l.w.prof.Destinations = slices.Delete(l.w.prof.Destinations, i, i+1)
	l.w.changed()
	l.show(l.w.prof.Destinations)
	l.update(l.w.last)
	l.removeLive(name)
}

func (l *destList) askRemove(i int) {
	name := l.w.prof.Destinations[i].Name
	msg := fmt.Sprintf("Remove %q from this profile?", name)
	if known, _ := l.inSession(name); known {
		msg = fmt.Sprintf("Stop %q and remove it from this profile? The other destinations stay live.", name)
	}
	d := dialog.NewConfirm("Remove destination", msg, func(ok bool) {
		if ok && i < len(l.w.prof.Destinations) && l.w.prof.Destinations[i].Name == name {
			l.remove(i)
		}
	}, l.w.win)
	l.w.showConfirm(d, true)
}

// openVLC starts VLC on an RTP destination of the live stream.
func (l *destList) openVLC(name string) {
	if l.w.live == nil {
		l.w.showInfo("Open in VLC", "Go live first: VLC plays the stream while it runs.")
		return
	}
	if err := l.w.live.OpenInVLC(name); err != nil {
		l.w.showError("Open in VLC", err)
	}
}

// copySDP puts the SDP file path of an RTP destination on the clipboard.
func (l *destList) copySDP(d profile.Destination) {
	path := ""
	if l.w.live != nil {
		p, err := l.w.live.SDPPath(d.Name)
		if err != nil {
			l.w.showError("Copy SDP path", err)
			return
		}
		path = p
	} else if d.RTP != nil {
		t := rtptarget.Config{Host: d.RTP.Host, Port: d.RTP.Port, SDPPath: d.RTP.SDPPath}
		if _, err := os.Stat(t.SDPFile()); err == nil {
			path = t.SDPFile() // written by an earlier stream
		}
	}
	if path == "" {
		l.w.showInfo("Copy SDP path", "The SDP file is written when the stream starts: go live first.")
		return
	}
	l.w.app.Clipboard().SetContent(path)
	l.w.notices.Set("sdp", "SDP path copied: "+path, levelNormal)
}
