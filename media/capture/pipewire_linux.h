// A small binding to libpipewire-0.3 for screen-cast streams (the
// xdg-desktop-portal ScreenCast interface hands out a PipeWire remote and a
// node id). libpipewire is opened with dlopen, so GoLive starts, lists its
// devices and captures X11 where PipeWire is not installed.
#ifndef GOLIVE_PIPEWIRE_H
#define GOLIVE_PIPEWIRE_H

#include <stdint.h>

typedef struct golive_pw golive_pw;

// golive_pw_load opens libpipewire-0.3 once; 0 on success, else -1 with a
// message in err.
int golive_pw_load(char *err, int errlen);

// golive_pw_open connects to the PipeWire remote fd (taken over, also on
// failure) and links a video stream to node. Every new picture writes a
// byte to wake_fd (non-blocking; a full pipe is fine). NULL and a message
// on failure.
golive_pw *golive_pw_open(int fd, uint32_t node, int fps, int wake_fd, char *err, int errlen);

// golive_pw_seq counts the pictures received so far.
uint64_t golive_pw_seq(golive_pw *s);

// golive_pw_ended is 0 while the stream can deliver; otherwise 1 with why
// in msg.
int golive_pw_ended(golive_pw *s, char *msg, int len);

// golive_pw_take copies the newest picture into the AVFrame dst, cropped
// to (x, y, w, h) when w > 0. It returns 0, GOLIVE_PW_NONE when no picture
// is held, GOLIVE_PW_OUTSIDE when the crop leaves the picture (*fw x *fh
// tell its size), GOLIVE_PW_NOMEM, or GOLIVE_PW_UNMAPPABLE (DMA-BUF
// memory this process cannot read).
int golive_pw_take(golive_pw *s, void *dst, int x, int y, int w, int h, int *fw, int *fh);

// golive_pw_age is how long ago, at the time of the call, the newest
// picture was on screen: from the producer's timestamp, else from its
// arrival (0 before the first picture). Measured at the call, not at the
// arrival, so that a reader that wakes up late still places the picture
// at its own instant.
int64_t golive_pw_age(golive_pw *s);

// golive_pw_skipped counts pictures dropped as unreadable (empty, corrupted
// or unmappable buffers).
uint64_t golive_pw_skipped(golive_pw *s);

// golive_pw_close disconnects and frees everything.
void golive_pw_close(golive_pw *s);

#define GOLIVE_PW_NONE (-1)
#define GOLIVE_PW_OUTSIDE (-2)
#define GOLIVE_PW_NOMEM (-3)
#define GOLIVE_PW_UNMAPPABLE (-4)

#endif
