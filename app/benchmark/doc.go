// Package benchmark compares GoLive with the ffmpeg command line doing the
// same job (one encode, the tee muxer to N RTMP destinations and one RTP
// target; or two renditions, issue 18), as issue 8 asks: same input, same settings, alternating the two
// programs in one run, CPU seconds per media second and peak RSS from the
// children's rusage, against a local nginx-rtmp ingest.
//
// The harness runs the real binaries as child processes; cmd/golive-bench
// drives it and writes RESULTS.md. `make bench` runs it after the Go
// benchmarks of the hot paths.
package benchmark
