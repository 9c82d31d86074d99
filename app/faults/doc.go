// Package faults is GoLive's end-to-end fault suite and soak test. It has
// no code of its own: its tests drive the real command line and session
// against real peers on loopback (nginx-rtmp, a TLS front, ffmpeg and
// ffprobe as receivers) and inject faults by stopping or pausing
// processes and through small TCP proxies that throttle, reset or
// black-hole a connection.
//
//	make test-faults                 the fault table (a few minutes)
//	make soak DURATION=1h            3 RTMP + 1 RTP + a recording, sampled
//	                                 every 10 s into soak/soak.csv, with
//	                                 soak/summary.md and soak/soak.svg
package faults
