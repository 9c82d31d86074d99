package ui

import (
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// previewPanel shows what is captured, scaled, up to maxPreviewFPS times
// a second while live (fewer when painting is expensive, see pacer);
// hiding it stops the updates so it costs nothing.
type previewPanel struct {
	object  fyne.CanvasObject
	image   *canvas.Image
	empty   *widget.Label
	info    *widget.Label
	toggle  *widget.Button
	frame   *fyne.Container
	shown   bool
	hasLive bool
}

func newPreviewPanel() *previewPanel {
	p := &previewPanel{shown: true}
	p.image = canvas.NewImageFromImage(nil)
	p.image.FillMode = canvas.ImageFillContain
	p.image.ScaleMode = canvas.ImageScaleFastest
	p.image.SetMinSize(fyne.NewSize(320, 180))
	p.empty = widget.NewLabelWithStyle("The preview appears when you go live",
		fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	bg := canvas.NewRectangle(colorMeterBg)
	p.frame = container.NewStack(bg, p.image, container.NewCenter(p.empty))
	p.info = widget.NewLabel("")
	p.toggle = widget.NewButtonWithIcon("Hide", theme.VisibilityOffIcon(), p.onToggle)
	p.toggle.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, heading("Preview"), p.toggle)
	p.object = container.NewVBox(header, p.frame, p.info)
	return p
}

func (p *previewPanel) visible() bool { return p.shown }

func (p *previewPanel) onToggle() {
	p.shown = !p.shown
	if p.shown {
		p.frame.Show()
		p.toggle.SetText("Hide")
		p.toggle.SetIcon(theme.VisibilityOffIcon())
	} else {
		p.frame.Hide()
		p.toggle.SetText("Show")
		p.toggle.SetIcon(theme.VisibilityIcon())
	}
}

// setLive clears the picture when a stream starts or ends.
func (p *previewPanel) setLive(live bool) {
	p.hasLive = live
	p.image.Image = nil
	p.image.Refresh()
	if live {
		p.empty.SetText("Waiting for the first picture…")
	} else {
		p.empty.SetText("The preview appears when you go live")
		p.info.SetText("")
	}
	p.empty.Show()
}

// setImage shows img; the same picture as before costs nothing (no
// texture upload, no repaint).
func (p *previewPanel) setImage(img *image.RGBA) {
	if cur, ok := p.image.Image.(*image.RGBA); ok && cur == img {
		return
	}
	p.image.Image = img
	p.image.Refresh()
	p.empty.Hide()
}

// showInfo prints the capture's resolution and measured frame rate, and
// the preview's rate when the pacer lowered it.
func (p *previewPanel) showInfo(st Stats, enc profile.Encoder, previewFPS int) {
	size := fmt.Sprintf("%dx%d", enc.Width, enc.Height)
	if st.Width > 0 && st.Height > 0 {
		size = fmt.Sprintf("%dx%d → %s", st.Width, st.Height, size)
	}
	text := fmt.Sprintf("%s @ %.1f fps", size, st.FPS)
	if previewFPS < maxPreviewFPS {
		text += fmt.Sprintf(" · preview %d fps to save CPU", previewFPS)
	}
	setLabel(p.info, text, levelNormal)
}
