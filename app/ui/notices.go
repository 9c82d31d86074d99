package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// notices is the strip under the profile bar that shows errors and notes
// that belong to no single control (engine stopped, save failed). Each
// topic shows one message; setting a topic again replaces it.
type notices struct {
	object *fyne.Container
	topics []string
	rows   map[string]*noticeRow
}

type noticeRow struct {
	label *widget.Label
	box   *fyne.Container
}

func newNotices() *notices {
	return &notices{object: container.NewVBox(), rows: map[string]*noticeRow{}}
}

// Set shows text under topic with the colour of lv.
func (n *notices) Set(topic, text string, lv level) {
	row, ok := n.rows[topic]
	if !ok {
		row = &noticeRow{label: widget.NewLabel("")}
		row.label.Wrapping = fyne.TextWrapWord
		closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { n.Clear(topic) })
		closeBtn.Importance = widget.LowImportance
		row.box = container.NewBorder(nil, nil, nil, closeBtn, row.label)
		n.rows[topic] = row
		n.topics = append(n.topics, topic)
		n.object.Add(row.box)
	}
	setLabel(row.label, text, lv)
}

// Clear removes the message of topic.
func (n *notices) Clear(topic string) {
	row, ok := n.rows[topic]
	if !ok {
		return
	}
	n.object.Remove(row.box)
	delete(n.rows, topic)
	n.topics = slices.DeleteFunc(n.topics, func(t string) bool { return t == topic })
}

// Text returns the message of topic, or "".
func (n *notices) Text(topic string) string {
	if row, ok := n.rows[topic]; ok {
		return row.label.Text
	}
	return ""
}
