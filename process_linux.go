package main

// Process-wide tuning of the golive binary. It lives in package main, the
// only place that may change the process (ARCHITECTURE.md): library
// packages, and the test binaries that link them, run with the system's
// defaults. The C constructor below runs when the program is loaded,
// before the Go runtime starts its threads, so that every thread inherits
// the timer slack and glibc sees the malloc settings before any
// allocation. Measurements: README "Process tuning" and
// app/benchmark/RESULTS.md.

/*
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define GOLIVE_TIMER_SLACK_NS 1000000
#define GOLIVE_MALLOC_ARENAS 1
#define GOLIVE_MMAP_THRESHOLD (32 << 20)
#define GOLIVE_TRIM_THRESHOLD (64 << 20)

// golive_tune_process sets the timer slack every thread inherits (see
// timerSlack), the number of C malloc arenas (see mallocArenas) and the
// malloc thresholds (see mallocMmapThreshold).
// GOLIVE_DEFAULT_TIMER_SLACK=1 keeps the kernel's slack, and malloc
// settings of the user's (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES) are kept, to measure the
// difference.
__attribute__((constructor)) static void golive_tune_process(void) {
	const char *keep = getenv("GOLIVE_DEFAULT_TIMER_SLACK");
	if (!keep || keep[0] != '1') prctl(PR_SET_TIMERSLACK, (unsigned long)GOLIVE_TIMER_SLACK_NS, 0, 0, 0);
	const char *arenas = getenv("MALLOC_ARENA_MAX");
	if (!arenas || !arenas[0]) mallopt(M_ARENA_MAX, GOLIVE_MALLOC_ARENAS);
	if (!getenv("MALLOC_MMAP_THRESHOLD_") && !getenv("MALLOC_TRIM_THRESHOLD_") && !getenv("GLIBC_TUNABLES")) {
		mallopt(M_MMAP_THRESHOLD, GOLIVE_MMAP_THRESHOLD);
		mallopt(M_TRIM_THRESHOLD, GOLIVE_TRIM_THRESHOLD);
	}
}

// golive_refaults frees and reallocates, rounds times, `blocks` blocks
// of `size` bytes written in full, as a stream's pictures are, and
// returns the page faults of all but the first round (for the tests).
static long golive_refaults(int rounds, int blocks, size_t size) {
	struct rusage before, after;
	void *p[16];
	if (blocks > 16) blocks = 16;
	for (int r = 0; r < rounds; r++) {
		if (r == 1) getrusage(RUSAGE_SELF, &before);
		for (int i = 0; i < blocks; i++) {
			p[i] = malloc(size);
			if (!p[i]) return -1;
			memset(p[i], r + 1, size);
		}
		for (int i = blocks - 1; i >= 0; i--) free(p[i]);
	}
	getrusage(RUSAGE_SELF, &after);
	return after.ru_minflt - before.ru_minflt;
}

// golive_arena_count returns how many malloc arenas glibc reports (for the
// tests).
static int golive_arena_count(void) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) return -1;
	malloc_info(0, f);
	fclose(f);
	int n = 0;
	for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) n++;
	free(buf);
	return n;
}
*/
import "C"

import "time"

// timerSlack is how late the kernel may wake any thread of the process from
// a timed sleep, so that it can group the wake-ups (prctl PR_SET_TIMERSLACK;
// Linux's default is 50 µs). GoLive sets one millisecond, before the Go
// runtime starts, so that every thread has it.
//
// The Go runtime's sysmon thread polls every 20 µs for a millisecond each
// time a goroutine enters a system call or cgo call after the process was
// idle, which a live stream does hundreds of times a second (every audio
// chunk, picture and packet); with the default slack that was half of the
// process's context switches. The pipeline's shortest period is a 10 ms
// audio chunk and capture times are read from the clock, so a wake-up up to
// 1 ms late changes no timestamp. Measured (issue 8, 720p30 to 3 RTMP + RTP):
// context switches 31 000 → 17 000 per 9 s, CPU 2 % lower.
const timerSlack = time.Duration(C.GOLIVE_TIMER_SLACK_NS)

// mallocArenas is the number of glibc malloc arenas (M_ARENA_MAX) the
// process uses. glibc gives threads that call malloc at the same time
// arenas of their own, up to 8 per core, each keeping freed memory for
// itself: the Go runtime runs cgo calls on whichever thread is free, so
// libav's allocations spread over many arenas. One arena, shared by every
// thread (each still has its own cache of small blocks), cut the peak RSS
// of a 720p stream to 3 RTMP + RTP from 126-131 MB to 112 MB, at the same
// CPU (issue 8).
const mallocArenas = C.GOLIVE_MALLOC_ARENAS

// mallocMmapThreshold and mallocTrimThreshold fix glibc's malloc
// thresholds (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD): a block smaller than
// 32 MB comes from the heap, and the heap keeps up to 64 MB of free memory
// at its top instead of giving it back to the kernel. By default glibc
// maps a picture-sized block (libavdevice's lavfi copies every 1080p
// picture into a new 3.1 MB packet) and trims its heap as soon as 2 such
// blocks are free, so the next pictures fault their pages in again and
// the kernel clears each one: 15 000-40 000 page faults per 10 s of
// 1080p30 instead of 11 000, and clear_page was 2 % of the process's CPU
// (issue 8). The peak RSS does not change: the memory kept is what the
// stream used at its peak.
const (
	mallocMmapThreshold = C.GOLIVE_MMAP_THRESHOLD
	mallocTrimThreshold = C.GOLIVE_TRIM_THRESHOLD
)

// mallocRefaults returns the page faults of rounds-1 rounds of
// allocating, writing and freeing blocks blocks of size bytes.
func mallocRefaults(rounds, blocks, size int) int64 {
	return int64(C.golive_refaults(C.int(rounds), C.int(blocks), C.size_t(size)))
}

// mallocArenaCount returns the number of malloc arenas in use.
func mallocArenaCount() int { return int(C.golive_arena_count()) }
