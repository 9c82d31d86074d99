package desktop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/session"
)

const childEnv = "GOLIVE_DESKTOP_CHILD"

// TestChildGolive is the child side of the tests here: it runs `golive`
// with the arguments in $GOLIVE_DESKTOP_CHILD (separated by \x1f) in a
// process of its own, with the desktop session's environment.
func TestChildGolive(t *testing.T) {
	args := os.Getenv(childEnv)
	if args == "" {
		t.Skip("only run as a child process")
	}
	os.Exit(cli.Main(context.Background(), strings.Split(args, "\x1f"),
		cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
}

// golive is one finished `golive` run in a child process.
type golive struct {
	code   int
	stderr string
	stats  []session.Stats
	// epoch is the wall-clock start of the stream clock, from the stats
	// lines (the earliest of read time minus elapsed_s).
	epoch time.Time
}

// runGolive runs `golive args...` with env (the desktop's variables,
// without DISPLAY) and returns when it exits or after limit (killed).
// onStats sees every stats line as it comes (--stats json).
func runGolive(t *testing.T, env []string, limit time.Duration, onStats func(session.Stats), args ...string) *golive {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildGolive$")
	cmd.Env = append(slices.Clone(env), childEnv+"="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killer := time.AfterFunc(limit, func() { _ = cmd.Process.Kill() })
	defer killer.Stop()
	g := &golive{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		now := time.Now()
		var st session.Stats
		if json.Unmarshal(sc.Bytes(), &st) != nil {
			continue
		}
		g.stats = append(g.stats, st)
		if e := now.Add(-time.Duration(st.ElapsedS * float64(time.Second))); g.epoch.IsZero() || e.Before(g.epoch) {
			g.epoch = e
		}
		if onStats != nil {
			onStats(st)
		}
	}
	err = cmd.Wait()
	g.code, g.stderr = cmd.ProcessState.ExitCode(), stderr.String()
	if err != nil && g.code == 0 {
		g.code = -1
	}
	return g
}

func (g *golive) String() string {
	return fmt.Sprintf("exit %d, %d stats lines, stderr: %s", g.code, len(g.stats), g.stderr)
}
