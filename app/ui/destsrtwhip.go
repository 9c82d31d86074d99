package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/outputs/srturl"
	"golive/outputs/whipurl"
)

// srtFields are the dialog's SRT fields: listener URL, passphrase
// (masked, kept where stream keys are) and receiver latency.
type srtFields struct {
	url, key, latency *keyEntry
}

// whipFields are the dialog's WHIP fields: endpoint and bearer token
// (masked, kept where stream keys are).
type whipFields struct {
	url, key *keyEntry
}

// secretEntry makes a masked field validated as field.
func (dd *destDialog) secretEntry(field, placeholder string) *keyEntry {
	e := newKeyEntry(dd.w, true)
	e.SetPlaceHolder(placeholder)
	e.Validator = dd.fieldValidator(field)
	e.OnChanged = func(string) { dd.validate() }
	return e
}

// secretItem is a masked field's form line, with a hint saying where the
// secret is kept.
func (dd *destDialog) secretItem(label, hint string, e *keyEntry) *widget.FormItem {
	item := widget.NewFormItem(label, e)
	item.HintText = hint
	if ks, ok := dd.w.store.(keyStorer); ok {
		item.HintText += "; kept in " + ks.KeyStore()
	}
	return item
}

func (dd *destDialog) buildSRT() fyne.CanvasObject {
	dd.srt.url = dd.entry("srt.url", "srt://host:port?streamid=...")
	dd.srt.url.OnChanged = dd.onURL
	dd.srt.key = dd.secretEntry("srt.key", "none (no encryption)")
	dd.srt.latency = dd.entry("srt.latency", fmt.Sprintf("default (%d ms)", srturl.DefaultLatency/time.Millisecond))
	return widget.NewForm(widget.NewFormItem("URL", dd.srt.url),
		dd.secretItem("Passphrase", fmt.Sprintf("%d to %d characters, or empty", srturl.MinPassphrase, srturl.MaxPassphrase), dd.srt.key),
		widget.NewFormItem("Latency (ms)", dd.srt.latency))
}

func (dd *destDialog) buildWHIP() fyne.CanvasObject {
	dd.whip.url = dd.entry("whip.url", "https://server/whip/endpoint")
	dd.whip.url.OnChanged = dd.onURL
	dd.whip.key = dd.secretEntry("whip.key", "none")
	return widget.NewForm(widget.NewFormItem("URL", dd.whip.url),
		dd.secretItem("Bearer token", "sent as Authorization: Bearer", dd.whip.key))
}

func (dd *destDialog) fillSRT(r *profile.SRT) {
	if r == nil {
		r = &profile.SRT{}
	}
	dd.srt.url.SetText(r.URL)
	dd.srt.key.SetText(r.Key)
	dd.srt.latency.SetText("")
	if r.Latency > 0 {
		dd.srt.latency.SetText(strconv.Itoa(r.Latency))
	}
}

func (dd *destDialog) fillWHIP(r *profile.WHIP) {
	if r == nil {
		r = &profile.WHIP{}
	}
	dd.whip.url.SetText(r.URL)
	dd.whip.key.SetText(r.Key)
}

// currentSRT is the SRT destination the fields describe (unknown fields
// of the original kept).
func (dd *destDialog) currentSRT() *profile.SRT {
	r := profile.SRT{}
	if dd.orig.SRT != nil {
		r = *dd.orig.SRT
	}
	r.URL = strings.TrimSpace(dd.srt.url.Text)
	r.Key = strings.TrimSpace(dd.srt.key.Text)
	r.Latency, _ = strconv.Atoi(strings.TrimSpace(dd.srt.latency.Text))
	return &r
}

// currentWHIP is the WHIP destination the fields describe.
func (dd *destDialog) currentWHIP() *profile.WHIP {
	r := profile.WHIP{}
	if dd.orig.WHIP != nil {
		r = *dd.orig.WHIP
	}
	r.URL = strings.TrimSpace(dd.whip.url.Text)
	r.Key = strings.TrimSpace(dd.whip.key.Text)
	return &r
}

// checkSRT adds what the profile cannot know: latency text that is not a
// number, and a passphrase typed into the (unmasked) URL.
func (dd *destDialog) checkSRT(r *profile.SRT, add func(field, msg string)) {
	if t := strings.TrimSpace(dd.srt.latency.Text); t != "" {
		if _, err := strconv.Atoi(t); err != nil {
			add("srt.latency", fmt.Sprintf("latency must be a number of milliseconds from %d to %d, or empty",
				srturl.MinLatency/time.Millisecond, srturl.MaxLatency/time.Millisecond))
		}
	}
	u, err := srturl.Parse(r.URL)
	switch {
	case r.URL == "":
		add("srt.url", "enter the listener's URL (srt://host:port)")
	case err != nil:
		add("srt.url", strings.TrimPrefix(err.Error(), "srt url: "))
	case u.Passphrase != "":
		add("srt.url", "put the passphrase in the Passphrase field (kept secret), not in the URL")
	}
}

// checkWHIP adds an empty endpoint's message (the profile checks the rest
// with the same parser).
func checkWHIP(r *profile.WHIP, add func(field, msg string)) {
	if r.URL == "" {
		add("whip.url", "enter the WHIP endpoint (https://...)")
		return
	}
	if _, err := whipurl.Parse(r.URL); err != nil {
		add("whip.url", strings.TrimPrefix(err.Error(), "whip url: "))
	}
}

// onURL names a new SRT or WHIP destination after its host.
func (dd *destDialog) onURL(string) {
	dd.defaultName()
	dd.validate()
}

// hostOf is the host of the SRT or WHIP URL typed, for the default name.
func (dd *destDialog) hostOf() string {
	switch kindOf(dd.kind.Selected) {
	case profile.KindSRT:
		if dd.srt.url != nil {
			if u, err := srturl.Parse(strings.TrimSpace(dd.srt.url.Text)); err == nil {
				return u.Address()
			}
		}
	case profile.KindWHIP:
		if dd.whip.url != nil {
			if u, err := whipurl.Parse(strings.TrimSpace(dd.whip.url.Text)); err == nil {
				return u.Host
			}
		}
	}
	return "destination"
}
