package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// profileBar is the row at the top: the profile picker and what can be
// done with profiles. Every change is saved at once by the store.
type profileBar struct {
	w       *mainWindow
	object  fyne.CanvasObject
	picker  *widget.Select
	buttons []*widget.Button
}

func newProfileBar(w *mainWindow) *profileBar {
	b := &profileBar{w: w}
	b.picker = widget.NewSelect(nil, b.onPick)
	b.picker.PlaceHolder = "(no profile)"
	add := func(label string, icon fyne.Resource, f func()) {
		btn := widget.NewButtonWithIcon(label, icon, f)
		b.buttons = append(b.buttons, btn)
	}
	add("New", theme.ContentAddIcon(), b.askNew)
	add("Duplicate", theme.ContentCopyIcon(), b.askDuplicate)
	add("Rename", theme.DocumentCreateIcon(), b.askRename)
	add("Delete", theme.DeleteIcon(), b.askDelete)
	add("Import", theme.FolderOpenIcon(), b.askImport)
	add("Export", theme.DocumentSaveIcon(), b.askExport)
	row := container.NewHBox(widget.NewLabelWithStyle("Profile", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, btn := range b.buttons {
		row.Add(btn)
	}
	b.object = container.NewBorder(nil, nil, row.Objects[0], container.NewHBox(row.Objects[1:]...), b.picker)
	return b
}

// show lists names and selects current without triggering a load.
func (b *profileBar) show(names []string, current string) {
	b.picker.Options = names
	b.picker.SetSelected(current)
}

func (b *profileBar) setLocked(locked bool) {
	setEnabled(b.picker, !locked)
	for _, btn := range b.buttons {
		setEnabled(btn, !locked)
	}
}

func (b *profileBar) onPick(name string) {
	if b.w.loading || name == "" || name == b.w.prof.Name {
		return
	}
	if err := b.w.selectProfile(name); err != nil {
		b.w.showError("Profile", err)
	}
}

// create saves p as a new profile and switches to it.
func (b *profileBar) create(p profile.Profile) error {
	if slices.Contains(b.w.store.List(), p.Name) {
		return fmt.Errorf("a profile named %q already exists", p.Name)
	}
	if err := b.w.store.Put(p); err != nil {
		return err
	}
	return b.w.selectProfile(p.Name)
}

func (b *profileBar) newProfile(name string) error {
	p := profile.DefaultProfile()
	p.Name = name
	b.w.adaptToMachine(&p)
	return b.create(p)
}

func (b *profileBar) duplicate(name string) error {
	p := b.w.prof.Clone()
	p.Name = name
	return b.create(p)
}

func (b *profileBar) rename(name string) error {
	if name == b.w.prof.Name {
		return nil
	}
	if slices.Contains(b.w.store.List(), name) {
		return fmt.Errorf("a profile named %q already exists", name)
	}
	if err := b.w.store.Rename(b.w.prof.Name, name); err != nil {
		return err
	}
	return b.w.selectProfile(name)
}

// remove deletes the current profile and selects another one, creating
// the default profile when none is left.
func (b *profileBar) remove() error {
	if err := b.w.store.Delete(b.w.prof.Name); err != nil {
		return err
	}
	names := b.w.store.List()
	if len(names) == 0 {
		return b.w.loadInitialProfile()
	}
	return b.w.selectProfile(names[0])
}

func (b *profileBar) importFrom(path string, opt profile.ImportOptions) error {
	name, err := b.w.store.Import(path, opt)
	if err != nil {
		return err
	}
	b.w.showStoreNotices()
	return b.w.selectProfile(name)
}

func (b *profileBar) askNew() {
	b.askName("New profile", "", b.newProfile)
}

func (b *profileBar) askDuplicate() {
	b.askName("Duplicate profile", b.w.prof.Name+" copy", b.duplicate)
}

func (b *profileBar) askRename() {
	b.askName("Rename profile", b.w.prof.Name, b.rename)
}

func (b *profileBar) askDelete() {
	msg := fmt.Sprintf("Delete the profile %q and its destinations?", b.w.prof.Name)
	d := dialog.NewConfirm("Delete profile", msg, func(ok bool) {
		if ok {
			if err := b.remove(); err != nil {
				b.w.showError("Delete profile", err)
			}
		}
	}, b.w.win)
	b.w.showConfirm(d, true)
}

func (b *profileBar) askImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		b.importFile(path)
	}, b.w.win)
	b.w.showModal(d, fyne.Size{}, nil, d.Hide)
}

// importFile imports path; a profile of the same name offers Rename and
// Replace instead of failing.
func (b *profileBar) importFile(path string) {
	err := b.importFrom(path, profile.ImportOptions{})
	if errors.Is(err, profile.ErrExists) {
		b.askImportClash(path)
		return
	}
	if err != nil {
		b.w.showError("Import profile", err)
	}
}

// askImportClash asks what to do with an import whose name is taken.
func (b *profileBar) askImportClash(path string) {
	name := importedName(path)
	msg := widget.NewLabel(fmt.Sprintf("A profile named %q already exists. Import this one under another name, "+
		"or replace the existing profile (its destinations and settings are overwritten)?", name))
	msg.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	rename := widget.NewButton(labelImportRename, func() {
		d.Hide()
		b.askName("Import as", b.freeName(name), func(n string) error {
			return b.importFrom(path, profile.ImportOptions{Name: n})
		})
	})
	rename.Importance = widget.HighImportance
	replace := widget.NewButton(labelImportReplace, func() {
		d.Hide()
		if err := b.importFrom(path, profile.ImportOptions{Replace: true}); err != nil {
			b.w.showError("Import profile", err)
		}
	})
	replace.Importance = widget.DangerImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Import profile", container.NewVBox(msg,
		container.NewHBox(layoutSpacer(), cancel, replace, rename)), b.w.win)
	b.w.showModal(d, fyne.NewSize(520, 200), rename.OnTapped, d.Hide)
}

// Answers to an import whose name is taken.
const (
	labelImportRename  = "Import as a new profile…"
	labelImportReplace = "Replace"
)

// importedName reads the name of the profile in an export file.
func importedName(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return filepath.Base(path)
	}
	p, err := profile.DecodeExport(data)
	if err != nil || p.Name == "" {
		return filepath.Base(path)
	}
	return p.Name
}

// freeName suggests "name (2)", "name (3)"... not in use.
func (b *profileBar) freeName(name string) string {
	names := b.w.store.List()
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)", name, i)
		if !slices.Contains(names, n) {
			return n
		}
	}
}

func (b *profileBar) askExport() {
	keys := widget.NewCheck("Include the stream keys (anyone with the file can stream to your channels)", nil)
	note := widget.NewLabel("Without keys, whoever imports the profile adds them; the destinations show \"needs key\".")
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Export profile", "Choose file…", "Cancel", container.NewVBox(keys, note),
		func(ok bool) {
			if ok {
				b.chooseExportFile(keys.Checked)
			}
		}, b.w.win)
	b.w.showModal(d, fyne.NewSize(520, 200), d.Confirm, d.Dismiss)
}

// chooseExportFile asks where to export, exports, and says where it went
// and whether the keys are in it.
func (b *profileBar) chooseExportFile(withKeys bool) {
	name := b.w.prof.Name
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		_ = wc.Close()
		if err := b.w.store.Export(name, path, withKeys); err != nil {
			b.w.showError("Export profile", err)
			return
		}
		b.w.showInfo("Profile exported", exportMessage(name, path, withKeys))
	}, b.w.win)
	d.SetFileName(fileSafe(name) + ".json")
	b.w.showModal(d, fyne.Size{}, nil, d.Hide)
}

// exportMessage says where a profile was exported and about its keys.
func exportMessage(name, path string, withKeys bool) string {
	msg := fmt.Sprintf("%q was exported to %s.\n\n", name, path)
	if withKeys {
		return msg + "The stream keys are in the file: keep it private."
	}
	return msg + "The stream keys were left out: add them after importing."
}

// askName shows a one-field dialog whose OK runs apply; errors keep the
// dialog's message under the field.
func (b *profileBar) askName(title, initial string, apply func(string) error) {
	entry := newKeyEntry(b.w, false)
	entry.SetText(initial)
	entry.Validator = func(s string) error {
		p := profile.Profile{Name: s}
		for _, fe := range profile.FieldErrors(p.Validate()) {
			if fe.Field == "name" {
				return errors.New(fe.Message)
			}
		}
		return nil
	}
	items := []*widget.FormItem{widget.NewFormItem("Name", entry)}
	d := dialog.NewForm(title, "OK", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		if err := apply(strings.TrimSpace(entry.Text)); err != nil {
			b.w.showError(title, err)
		}
	}, b.w.win)
	b.w.showModal(d, fyne.NewSize(420, 160), d.Submit, d.Hide)
	b.w.win.Canvas().Focus(entry)
}

// fileSafe turns a profile name into a file name.
func fileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, name)
}
