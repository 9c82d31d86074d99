package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"golive/app/profile"
	"golive/app/secret"
)

const profileUsage = `Usage: golive profile COMMAND

Commands:
  list [--json]                       list profiles (* = last used)
  show NAME [--json]                  show a profile (stream keys masked)
  add NAME [--copy FROM] [KEY=VALUE...]
                                      create a profile (default settings, no destinations)
  set NAME KEY=VALUE...               change settings (see below)
  add-dest NAME (--rtmp URL[#KEY] [--rtmp-key KEY|-] | --rtp HOST:PORT[?mode=..] | --record FILE
                | --srt URL [--latency MS] | --whip URL[#TOKEN]) [--key PASSPHRASE|TOKEN|-]
           [--name DEST] [--disabled] [--service S] [--ca FILE] [--pin SHA256] [--format F]
  remove-dest NAME DEST               remove a destination
  delete NAME                         delete a profile (and its keys)
  rename OLD NEW                      rename a profile
  select NAME                         make NAME the last-used profile
  export NAME FILE [--with-keys]      write one profile to FILE (- = stdout); secrets left out
  import FILE [--name NEW] [--replace]
                                      add the profile from an export

Settings for set/add: name, source (screen|test), display, region (X,Y,W,H or ""),
cursor, audio (mic|test|none), audio_device, size (WxH), width, height, fps,
video_bitrate (2500k, 6M), audio_bitrate, encoder, preset, and per destination
dest.DEST.FIELD with FIELD one of enabled, name, url, key, service, ca_file,
pin_sha256, host, port, mode, mtu, ttl, rtcp_mux, srtp, sdp_path, path, format,
latency (SRT, ms); key is the stream key, SRT passphrase or WHIP token.
A destination's own video (unset or "same": the profile's): dest.DEST.size (WxH),
fps, video_bitrate, codec (h264|hevc|av1), encoder, preset, layout
(landscape|vertical), adaptive (true|false), fallback (main, another
destination's name, or a rendition such as "854x480@30 600k").
A key given as "-" is read from standard input (keeps it out of the process list).
Profiles live in $GOLIVE_CONFIG_DIR or --config-dir (default: the OS config dir + /golive).
`

// RunProfile runs `golive profile COMMAND ARGS...` (args start at COMMAND).
func RunProfile(ctx context.Context, args []string, env Env) (err error) {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, profileUsage)
		return usageErr("golive profile: missing command")
	}
	cmd, rest := args[0], args[1:]
	run, ok := profileCommands[cmd]
	if !ok {
		if cmd == "help" || cmd == "-h" || cmd == "--help" {
			fmt.Fprint(env.Stdout, profileUsage)
			return nil
		}
		return usageErr("unknown profile command %q (want list, show, add, set, add-dest, remove-dest, delete, rename, select, export or import)", cmd)
	}
	st, err := openProfileStore(ctx, env)
	if err != nil {
		return secret.RedactError(err, nil)
	}
	defer st.Close()
	defer printNotices(st, env)
	pc := &profileCmd{ctx: ctx, env: env, st: st, name: "golive profile " + cmd}
	err = run(pc, rest)
	if pc.keyInArgv {
		fmt.Fprintln(env.Stderr, profileArgvWarning)
	}
	return secret.RedactError(err, nil)
}

func openProfileStore(ctx context.Context, env Env) (*profile.Store, error) {
	dir := env.ConfigDir
	if dir == "" {
		d, err := profile.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	st := &profile.Store{Dir: dir, Keyring: env.Keyring, Logger: env.Logger, Context: ctx,
		OnKeychainWait: keychainWaitNote(env)}
	if err := st.Open(); err != nil {
		return nil, fmt.Errorf("opening profiles: %w", err)
	}
	return st, nil
}

// keychainWaitNote prints the note shown while a locked keychain is
// waited for (Ctrl-C ends the wait).
func keychainWaitNote(env Env) func(string) {
	return func(note string) {
		fmt.Fprintln(env.Stderr, "golive: note: "+note+" (unlock it in the prompt, or press Ctrl-C)")
	}
}

func printNotices(st *profile.Store, env Env) {
	for _, n := range st.Notices() {
		fmt.Fprintln(env.Stderr, "golive: note: "+n)
	}
}

type profileCmd struct {
	ctx  context.Context
	env  Env
	st   *profile.Store
	name string
	// A key, passphrase or token was given in argv (not as "-"), where
	// other users see it: the command ends with profileArgvWarning.
	keyInArgv, keyFromStdin bool
}

// profileArgvWarning is printed once by a profile command given a secret
// in its arguments.
const profileArgvWarning = "golive: warning: a key on the command line can be read by other users of this machine " +
	"(ps, /proc) and stays in the shell's history; give it as - to read it from standard input " +
	"(--rtmp-key -, --key -, dest.NAME.key=-)"

var profileCommands = map[string]func(*profileCmd, []string) error{
	"list":        (*profileCmd).list,
	"show":        (*profileCmd).show,
	"add":         (*profileCmd).add,
	"set":         (*profileCmd).set,
	"add-dest":    (*profileCmd).addDest,
	"remove-dest": (*profileCmd).removeDest,
	"delete":      (*profileCmd).delete,
	"rename":      (*profileCmd).rename,
	"select":      (*profileCmd).selectProfile,
	"export":      (*profileCmd).export,
	"import":      (*profileCmd).importProfile,
}

func (c *profileCmd) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	return fs
}

// parseArgs parses flags placed anywhere among the positional arguments
// and checks their count (max < 0: no upper limit).
func parseArgs(fs *flag.FlagSet, args []string, least, most int, what string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &UsageError{Err: err}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) < least || (most >= 0 && len(pos) > most) {
		return nil, usageErr("usage: %s %s", fs.Name(), what)
	}
	return pos, nil
}

func (c *profileCmd) saved(format string, args ...any) {
	fmt.Fprintf(c.env.Stdout, format+"\n", args...)
}

func (c *profileCmd) list(args []string) error {
	fs := c.flags()
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args, 0, 0, "[--json]"); err != nil {
		return err
	}
	sel := c.st.Selected()
	profiles := c.st.List()
	if *asJSON {
		type item struct {
			Name         string   `json:"name"`
			Selected     bool     `json:"selected"`
			Destinations []string `json:"destinations"`
		}
		items := make([]item, 0, len(profiles))
		for _, p := range profiles {
			it := item{Name: p.Name, Selected: p.Name == sel, Destinations: []string{}}
			for _, d := range p.Destinations {
				it.Destinations = append(it.Destinations, d.Name)
			}
			items = append(items, it)
		}
		return writeJSON(c.env.Stdout, items)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tDESTINATIONS")
	for _, p := range profiles {
		mark := " "
		if p.Name == sel {
			mark = "*"
		}
		var ds []string
		for _, d := range p.Destinations {
			s := d.Name + " (" + d.Kind
			if !d.Enabled {
				s += ", off"
			}
			ds = append(ds, s+")")
		}
		if len(ds) == 0 {
			ds = []string{"none"}
		}
		fmt.Fprintf(tw, "%s %s\t%s\n", mark, p.Name, strings.Join(ds, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(c.env.Stdout, "\nStream keys are kept in %s.\n", c.st.KeyStore())
	return err
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func (c *profileCmd) show(args []string) error {
	fs := c.flags()
	asJSON := fs.Bool("json", false, "print JSON (keys masked)")
	pos, err := parseArgs(fs, args, 1, 1, "NAME [--json]")
	if err != nil {
		return err
	}
	p, err := c.st.Get(pos[0])
	if err != nil {
		return &UsageError{Err: err}
	}
	if *asJSON {
		m := p.Clone()
		for i := range m.Destinations {
			if r := m.Destinations[i].RTMP; r != nil {
				*r = r.Masked()
				r.KeyRef = ""
			}
		}
		maskSRTWHIPKeys(&m)
		return writeJSON(c.env.Stdout, m)
	}
	where := "in the profiles file"
	if c.st.KeysInKeychain() {
		where = "in the OS keychain"
	}
	writeProfile(c.env.Stdout, p, where)
	return nil
}

// readKey returns v, or the first line of stdin when v is "-".
func (c *profileCmd) readKey(v string) (string, error) {
	if v != "-" {
		secret.Register(v)
		c.keyInArgv = c.keyInArgv || v != ""
		return v, nil
	}
	c.keyFromStdin = true
	if c.env.Stdin == nil {
		return "", usageErr("key \"-\": no standard input to read it from")
	}
	line, err := bufio.NewReader(c.env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read key from standard input: %w", err)
	}
	key := strings.TrimSpace(line)
	if key == "" {
		return "", usageErr("key \"-\": standard input is empty")
	}
	secret.Register(key)
	return key, nil
}
