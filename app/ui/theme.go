package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// GoLive's colours: a broadcast red for the primary action and the LIVE
// state, and meter colours that read well on dark and light backgrounds.
var (
	colorLive    = color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0xff}
	colorGood    = color.NRGBA{R: 0x43, G: 0xa0, B: 0x47, A: 0xff}
	colorWarning = color.NRGBA{R: 0xf9, G: 0xa8, B: 0x25, A: 0xff}
	colorDanger  = color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}
	colorMeterBg = color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff}
	// colorPlaceholder is half-transparent grey, faint on dark and light.
	colorPlaceholder = color.NRGBA{R: 0x88, G: 0x88, B: 0x88, A: 0x70}
)

// goLiveTheme is Fyne's default theme with GoLive's accent colours.
type goLiveTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return goLiveTheme{Theme: theme.DefaultTheme()} }

// Color implements fyne.Theme.
func (t goLiveTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return colorLive
	case theme.ColorNameSuccess:
		return colorGood
	case theme.ColorNameWarning:
		return colorWarning
	case theme.ColorNameError:
		return colorDanger
	case theme.ColorNamePlaceHolder:
		// Dimmer than disabled text: a placeholder must not read as a
		// value the user filled in.
		return colorPlaceholder
	}
	return t.Theme.Color(n, v)
}

// importance maps a level to the label importance that colours it.
func importance(l level) widget.Importance {
	switch l {
	case levelGood:
		return widget.SuccessImportance
	case levelWarning:
		return widget.WarningImportance
	case levelDanger:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// setLabel updates a label's text and colour, refreshing only on change.
func setLabel(l *widget.Label, text string, lv level) {
	imp := importance(lv)
	if l.Text == text && l.Importance == imp {
		return
	}
	l.Text = text
	l.Importance = imp
	l.Refresh()
}
