package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"golive/media/capture"
	"golive/media/engine"
)

// RunDevices lists the screens, microphones and encoders GoLive can use.
func RunDevices(_ context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("golive devices", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return &UsageError{Err: err}
	}
	w := env.Stdout
	fmt.Fprintln(w, "Screens (--source screen --display ...):")
	listScreens(w)
	fmt.Fprintln(w, "  test: synthetic pattern with a sync flash every second (--source test)")
	fmt.Fprintln(w, "Microphones (--audio NAME|ID):")
	mics, err := engine.ListMicrophones()
	if err != nil || len(mics) == 0 {
		fmt.Fprintf(w, "  none found%s: GoLive sends silence\n", errSuffix(err))
	}
	for _, m := range mics {
		def := ""
		if m.Default {
			def = " (default)"
		}
		fmt.Fprintf(w, "  %s [id %s]%s\n", m.Name, m.ID, def)
	}
	fmt.Fprintln(w, "  test: 880 Hz tone with a beep every second (--audio test)")
	fmt.Fprintln(w, "Encoders (--encoder NAME; a destination's own video: dest.NAME.encoder):")
	for _, e := range engine.ListEncoders() {
		kind := "software"
		if e.Hardware {
			kind = "hardware"
		}
		note := ""
		if e.Unsupported != "" {
			note = " (not usable: " + e.Unsupported + ")"
		}
		fmt.Fprintf(w, "  %-14s %-5s %s%s\n", e.Name, e.Codec, kind, note)
	}
	return nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// listScreens prints the portal screen on a Wayland session (with where
// it comes from, or why it is unavailable) and the X11 screens otherwise.
func listScreens(w io.Writer) {
	if capture.UsesPortal("", os.Getenv) {
		info, err := capture.PortalInfo()
		if err != nil {
			info = "unavailable: " + err.Error()
		}
		fmt.Fprintf(w, "  screen (portal): Wayland session %s, the desktop asks which monitor to share; %s\n",
			os.Getenv("WAYLAND_DISPLAY"), info)
		return
	}
	for _, s := range engine.ListScreens() {
		fmt.Fprintf(w, "  %s\n", s)
	}
}
