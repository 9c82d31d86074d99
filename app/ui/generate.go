package ui

// The window icon is assets/icon.png (drawn by assets/gen_icon.go),
// copied here because go:embed cannot reach outside the package.
//go:generate cp ../../assets/icon.png icon.png
//go:generate fyne bundle -o bundled.go --package ui --name resourceIconPng icon.png
