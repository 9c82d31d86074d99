package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// Destination types offered by the dialog (RTMPS is RTMP with an
// rtmps:// URL in the profile).
const (
	typeRTMP   = "RTMP"
	typeRTMPS  = "RTMPS"
	typeRTP    = "RTP"
	typeRecord = "Record"
	typeSRT    = "SRT"
	typeWHIP   = "WHIP"
)

var destTypes = []string{typeRTMP, typeRTMPS, typeSRT, typeWHIP, typeRTP, typeRecord}

// destDialog adds or edits a destination. Every field is checked as the
// user types; Save stays disabled until the destination is valid.
type destDialog struct {
	w       *mainWindow
	index   int
	orig    profile.Destination
	dlg     dialog.Dialog
	kind    *widget.Select
	name    *keyEntry
	service *widget.Select
	server  *keyEntry
	key     *keyEntry
	caFile  *keyEntry
	pin     *keyEntry
	tlsBox  fyne.CanvasObject
	limits  *widget.Label
	host    *keyEntry
	port    *keyEntry
	mtu     *keyEntry
	srtp    *widget.Check
	path    *keyEntry
	srt     srtFields
	whip    whipFields
	video   videoFields
	msg     *widget.Label
	save    *widget.Button
	groups  map[string]fyne.CanvasObject
	filling bool
	errs    map[string]string
}

// openDestDialog shows the dialog for destination index i of the current
// profile, or for a new one when i < 0.
func openDestDialog(w *mainWindow, i int, d profile.Destination) *destDialog {
	dd := &destDialog{w: w, index: i, orig: d.Clone(), errs: map[string]string{}}
	content := dd.build()
	title := "Add destination"
	if i >= 0 {
		title = "Edit destination"
	}
	if i >= 0 && w.phase == phaseLive {
		title += " (saving restarts it; the others stay live)"
	}
	dd.dlg = dialog.NewCustomWithoutButtons(title, content, w.win)
	dd.fill(d)
	w.showModal(dd.dlg, fyne.NewSize(600, 560), dd.onSave, dd.dlg.Hide)
	w.lastDestDialog = dd
	return dd
}

func (dd *destDialog) build() fyne.CanvasObject {
	dd.kind = widget.NewSelect(destTypes, func(string) { dd.onKind() })
	dd.name = dd.entry("name", "")
	dd.service = widget.NewSelect(serviceLabels(), func(string) { dd.onService() })
	dd.server = dd.entry("rtmp.url", "rtmp://server/app")
	dd.key = newKeyEntry(dd.w, true)
	dd.key.SetPlaceHolder("stream key")
	dd.key.OnChanged = func(string) { dd.validate() }
	dd.key.Validator = dd.fieldValidator("rtmp.key")
	dd.caFile = dd.entry("rtmp.ca_file", "none: the system's certificate authorities")
	dd.pin = dd.entry("rtmp.pin", "none (SHA-256 fingerprint, 64 hex digits)")
	caBrowse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), dd.browseCA)
	dd.tlsBox = widget.NewForm(
		widget.NewFormItem("CA file", container.NewBorder(nil, nil, nil, caBrowse, dd.caFile)),
		widget.NewFormItem("Certificate pin", dd.pin))
	dd.limits = widget.NewLabel("")
	dd.limits.Wrapping = fyne.TextWrapWord
	dd.limits.Hide()
	dd.host = dd.entry("rtp.host", "127.0.0.1")
	dd.port = dd.entry("rtp.port", "5004")
	dd.mtu = dd.entry("rtp.mtu", "default")
	dd.srtp = widget.NewCheck("Encrypt (SRTP, key in the SDP file)", func(bool) { dd.validate() })
	dd.path = dd.entry("record.path", "/home/me/Videos/stream.mkv")
	browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), dd.browse)
	dd.groups = map[string]fyne.CanvasObject{
		profile.KindRTMP: container.NewVBox(widget.NewForm(widget.NewFormItem("Service", dd.service),
			widget.NewFormItem("Server", dd.server), dd.keyItem()), dd.tlsBox, dd.limits),
		profile.KindRTP: widget.NewForm(widget.NewFormItem("Host", dd.host),
			widget.NewFormItem("Port", dd.port), widget.NewFormItem("MTU", dd.mtu),
			widget.NewFormItem("", dd.srtp)),
		profile.KindRecord: widget.NewForm(widget.NewFormItem("File",
			container.NewBorder(nil, nil, nil, browse, dd.path))),
		profile.KindSRT:  dd.buildSRT(),
		profile.KindWHIP: dd.buildWHIP(),
	}
	dd.msg = widget.NewLabel("")
	dd.msg.Wrapping = fyne.TextWrapWord
	dd.save = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), dd.onSave)
	dd.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { dd.dlg.Hide() })
	top := widget.NewForm(widget.NewFormItem("Type", dd.kind), widget.NewFormItem("Name", dd.name))
	buttons := container.NewHBox(layoutSpacer(), cancel, dd.save)
	return container.NewVBox(top, dd.groups[profile.KindRTMP], dd.groups[profile.KindSRT],
		dd.groups[profile.KindWHIP], dd.groups[profile.KindRTP], dd.groups[profile.KindRecord],
		widget.NewSeparator(), dd.buildVideo(), dd.msg, buttons)
}

// keyItem is the stream key field, with a hint saying where keys are kept
// (the OS keychain or the profiles file).
func (dd *destDialog) keyItem() *widget.FormItem {
	item := widget.NewFormItem("Stream key", dd.key)
	if ks, ok := dd.w.store.(keyStorer); ok {
		item.HintText = "Kept in " + ks.KeyStore()
	}
	return item
}

// entry makes a text field validated as part of the whole destination.
func (dd *destDialog) entry(field, placeholder string) *keyEntry {
	e := newKeyEntry(dd.w, false)
	e.SetPlaceHolder(placeholder)
	e.Validator = dd.fieldValidator(field)
	e.OnChanged = func(string) { dd.validate() }
	return e
}

// fieldValidator reports the current problem of one field.
func (dd *destDialog) fieldValidator(field string) fyne.StringValidator {
	return func(string) error {
		dd.check()
		if msg := dd.errs[field]; msg != "" {
			return validationError(msg)
		}
		return nil
	}
}

type validationError string

func (e validationError) Error() string { return string(e) }

// fill shows d in the fields.
func (dd *destDialog) fill(d profile.Destination) {
	dd.filling = true
	defer func() { dd.filling = false }()
	dd.name.SetText(d.Name)
	switch d.Kind {
	case profile.KindRTP:
		fillRTP(dd, d.RTP)
		dd.kind.SetSelected(typeRTP)
	case profile.KindRecord:
		if d.Record != nil {
			dd.path.SetText(d.Record.Path)
		}
		dd.kind.SetSelected(typeRecord)
	case profile.KindSRT:
		dd.fillSRT(d.SRT)
		dd.kind.SetSelected(typeSRT)
	case profile.KindWHIP:
		dd.fillWHIP(d.WHIP)
		dd.kind.SetSelected(typeWHIP)
	default:
		r := d.RTMP
		if r == nil {
			r = &profile.RTMP{Service: "custom"}
		}
		dd.service.SetSelected(serviceLabel(r.Service))
		dd.server.SetText(r.URL)
		dd.key.SetText(r.Key)
		dd.caFile.SetText(r.CAFile)
		dd.pin.SetText(r.PinSHA256)
		dd.kind.SetSelected(rtmpType(r.URL))
	}
	dd.fillVideo(d)
	dd.validate()
}

func fillRTP(dd *destDialog, r *profile.RTP) {
	if r == nil {
		r = &profile.RTP{Host: "127.0.0.1", Port: 5004}
	}
	dd.host.SetText(r.Host)
	dd.port.SetText(strconv.Itoa(r.Port))
	if r.MTU > 0 {
		dd.mtu.SetText(strconv.Itoa(r.MTU))
	}
	dd.srtp.SetChecked(r.SRTP)
}

func rtmpType(url string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(url)), "rtmps://") {
		return typeRTMPS
	}
	return typeRTMP
}

// kindOf maps the dialog's type to the profile's destination kind.
func kindOf(t string) string {
	switch t {
	case typeRTP:
		return profile.KindRTP
	case typeRecord:
		return profile.KindRecord
	case typeSRT:
		return profile.KindSRT
	case typeWHIP:
		return profile.KindWHIP
	}
	return profile.KindRTMP
}

// onKind shows the fields of the chosen type and names a new destination.
func (dd *destDialog) onKind() {
	kind := kindOf(dd.kind.Selected)
	for k, g := range dd.groups {
		setVisible(g, k == kind)
	}
	setVisible(dd.tlsBox, dd.kind.Selected == typeRTMPS)
	if kind == profile.KindRTMP && !dd.filling {
		dd.onService()
	}
	dd.defaultName()
	dd.validate()
}

// onService fills the server of a preset for the chosen RTMP/RTMPS type,
// switching to RTMPS for services that only accept it.
func (dd *destDialog) onService() {
	if dd.filling {
		return
	}
	p, ok := presetByLabel(dd.service.Selected)
	if ok && p.ID != "custom" {
		url := p.RTMP
		if dd.kind.Selected == typeRTMPS || url == "" {
			url = p.RTMPS
			if dd.kind.Selected != typeRTMPS {
				dd.kind.SetSelected(typeRTMPS)
			}
		}
		dd.server.SetText(url)
	}
	dd.defaultName()
	dd.validate()
}

// defaultName suggests a name after the service or type; an empty name
// field means the suggestion.
func (dd *destDialog) defaultName() {
	name := dd.kind.Selected
	switch kindOf(dd.kind.Selected) {
	case profile.KindRTMP:
		if p, ok := presetByLabel(dd.service.Selected); ok && p.ID != "custom" {
			name = p.Label
		}
	case profile.KindRTP:
		name = "RTP preview"
	case profile.KindRecord:
		name = "Recording"
	case profile.KindSRT, profile.KindWHIP:
		name = dd.kind.Selected + " " + dd.hostOf()
	}
	dd.name.SetPlaceHolder(name)
}

// nameOrDefault is the typed name, or the suggestion.
func (dd *destDialog) nameOrDefault() string {
	if n := strings.TrimSpace(dd.name.Text); n != "" {
		return n
	}
	return dd.name.PlaceHolder
}

func (dd *destDialog) browse() {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		dd.path.SetText(wc.URI().Path())
		_ = wc.Close()
	}, dd.w.win)
	d.SetFileName("golive.mkv")
	dd.w.showModal(d, fyne.Size{}, nil, d.Hide)
}

// browseCA picks the CA certificate (PEM) of an RTMPS server.
func (dd *destDialog) browseCA() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		dd.caFile.SetText(rc.URI().Path())
		_ = rc.Close()
	}, dd.w.win)
	dd.w.showModal(d, fyne.Size{}, nil, d.Hide)
}

func (dd *destDialog) onSave() {
	d, ok := dd.check()
	if !ok {
		dd.validate()
		return
	}
	if err := dd.w.dests.put(dd.index, d); err != nil {
		setLabel(dd.msg, err.Error(), levelDanger)
		return
	}
	dd.dlg.Hide()
}
