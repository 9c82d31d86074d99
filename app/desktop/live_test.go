package desktop

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/session"
	"golive/media/testpeer"
)

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
func runGolive(t *testing.T, env []string, limit time.Duration, onStats func(st session.Stats, epoch time.Time), args ...string) *golive {
	t.Helper()
	child := testpeer.Child{Role: "golive", Run: "TestChildGolive", Args: args, BaseEnv: slices.Clone(env)}.Start(t, limit)
	cmd, stdout, stderr := child.Cmd, child.Stdout, child.Stderr
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
			onStats(st, g.epoch)
		}
	}
	err := cmd.Wait()
	g.code, g.stderr = cmd.ProcessState.ExitCode(), stderr.String()
	if err != nil && g.code == 0 {
		g.code = -1
	}
	return g
}

// TestChildGolive is the child side of the tests here: `golive` with the
// parent's arguments (testpeer.Child), with the desktop session's
// environment.
func TestChildGolive(t *testing.T) {
	testpeer.ServeChild(t, "golive", func(args []string) int {
		return cli.Main(context.Background(), args, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	})
}

func (g *golive) String() string {
	return fmt.Sprintf("exit %d, %d stats lines, stderr: %s", g.code, len(g.stats), g.stderr)
}
