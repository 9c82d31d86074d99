// Command golive-bench runs the GoLive vs ffmpeg comparison of issue 8
// and writes the figures into a results file (see app/benchmark).
//
//	golive-bench -golive bin/golive -pairs 5 -seconds 12 -cases all -out app/benchmark/RESULTS.md
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golive/app/benchmark"
)

// envList is a repeatable NAME=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q: want NAME=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

var goLiveEnv envList

func main() {
	goLive := flag.String("golive", "bin/golive", "golive binary to measure")
	pairs := flag.Int("pairs", 5, "A/B pairs per case")
	seconds := flag.Float64("seconds", 12, "media seconds per run")
	cases := flag.String("cases", "all", "comma-separated case names, or all")
	out := flag.String("out", "", "results file to update (Markdown); stdout only when empty")
	goBench := flag.String("gobench", "", "`go test -bench` output to include in the results")
	flag.Var(&goLiveEnv, "golive-env", "NAME=VALUE added to golive's environment, repeatable (experiments)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log, *goLive, *pairs, *seconds, *cases, *out, *goBench); err != nil {
		log.Error("bench failed", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, goLive string, pairs int, seconds float64, list, out, goBench string) error {
	sel, err := benchmark.SelectCases(benchmark.Matrix(), list)
	if err != nil {
		return err
	}
	if goLive, err = filepath.Abs(goLive); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "golive-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	media := time.Duration(seconds * float64(time.Second))
	h := &benchmark.Harness{GoLive: goLive, GoLiveEnv: goLiveEnv, Pairs: pairs, Media: media, Dir: dir, Logger: log}
	if err := h.Start(); err != nil {
		return err
	}
	defer h.Close()
	started := time.Now()
	sums, results, plus := runCases(ctx, h, sel)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var b bytes.Buffer
	writeHeader(&b, started, pairs, media)
	if len(goLiveEnv) > 0 {
		fmt.Fprintf(&b, "GoLive environment: `%s`.\n\n", goLiveEnv.String())
	}
	fmt.Fprintln(&b, "### Targets")
	fmt.Fprintln(&b)
	benchmark.WriteVerdicts(&b, append(benchmark.CheckTargets(sums), plus...))
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "### Per case")
	fmt.Fprintln(&b)
	benchmark.WriteTables(&b, sums)
	writeSlopes(&b, sums)
	benchmark.WriteRenditionCases(&b, results)
	if goBench != "" {
		if err := writeGoBench(&b, goBench); err != nil {
			return err
		}
	}
	os.Stdout.Write(b.Bytes())
	if out == "" {
		return nil
	}
	return benchmark.WriteResults(out, b.String())
}

// runCases runs every case of sel (until ctx ends) and summarizes them:
// GoLive against ffmpeg, and the cost of one more destination.
func runCases(ctx context.Context, h *benchmark.Harness, sel []benchmark.Case) (
	sums []benchmark.Summary, results []benchmark.CaseResult, plus []benchmark.Verdict) {
	for i, c := range sel {
		r := h.RunCase(ctx, c, i)
		results = append(results, r)
		if c.PlusOneOf != "" {
			plus = append(plus, benchmark.SummarizePlusOne(r).Verdict())
		} else {
			sums = append(sums, benchmark.Summarize(r))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return sums, results, plus
}

func writeHeader(b *bytes.Buffer, started time.Time, pairs int, media time.Duration) {
	fmt.Fprintf(b, "Run of %s (%s), %d pairs per case (GoLive then ffmpeg, alternating), %s of media per run.\n\n",
		started.UTC().Format("2006-01-02 15:04 UTC"), time.Since(started).Round(time.Second), pairs, media)
	fmt.Fprintln(b, "Machine:")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "```")
	fmt.Fprintf(b, "nproc: %s\n", cmdOut("nproc"))
	fmt.Fprintln(b, cmdOut("sh", "-c", "lscpu | head -n 15"))
	fmt.Fprintln(b, cmdOut("sh", "-c", "grep MemTotal /proc/meminfo"))
	fmt.Fprintln(b, cmdOut("uname", "-sr"))
	fmt.Fprintln(b, cmdOut("go", "version"))
	fmt.Fprintln(b, cmdOut("sh", "-c", "ffmpeg -version | head -n 1"))
	fmt.Fprintln(b, cmdOut("sh", "-c", "nginx -v 2>&1"))
	fmt.Fprintf(b, "golive commit: %s\n", cmdOut("git", "rev-parse", "--short", "HEAD"))
	fmt.Fprintln(b, "```")
	fmt.Fprintln(b)
}

func writeSlopes(b *bytes.Buffer, sums []benchmark.Summary) {
	fmt.Fprintln(b)
	for _, r := range []struct {
		w, kbps int
		name    string
	}{{1280, 2500, "720p30 2.5 Mbit/s"}, {1920, 4500, "1080p30 4.5 Mbit/s"}} {
		g, ok1 := benchmark.PerDestinationCost(sums, r.w, r.kbps, true)
		f, ok2 := benchmark.PerDestinationCost(sums, r.w, r.kbps, false)
		if ok1 && ok2 {
			fmt.Fprintf(b, "Cost of one more RTMP destination, %s (least-squares slope of the CPU medians over N): GoLive %.2f%% of a core, ffmpeg %.2f%%.\n\n",
				r.name, 100*g, 100*f)
		}
	}
}

func cmdOut(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "(" + name + ": " + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}

// writeGoBench copies the benchmark lines of `go test -bench` output.
func writeGoBench(b *bytes.Buffer, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("go benchmarks: %w", err)
	}
	fmt.Fprintln(b, "### Hot paths (go test -bench -benchmem)")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "```")
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg:") || strings.HasPrefix(line, "cpu:") {
			fmt.Fprintln(b, strings.TrimSpace(line))
		}
	}
	fmt.Fprintln(b, "```")
	fmt.Fprintln(b)
	return nil
}
