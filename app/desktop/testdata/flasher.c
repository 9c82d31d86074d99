// flasher: a fullscreen Wayland window (xdg-shell, wl_shm) in the
// background colour that turns white for 300 ms at given wall-clock
// instants: the video half of the A/V sync markers for portal capture.
//   flasher EPOCH_NS FIRST COUNT  -> white at EPOCH + k s, k = FIRST .. FIRST+COUNT-1
// Built by the test: gcc flasher.c xdg-shell-protocol.c -lwayland-client
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "xdg-shell-client-protocol.h"

static struct wl_compositor *comp;
static struct wl_shm *shm;
static struct xdg_wm_base *wm;
static int width = 1280, height = 720, configured;

static void global(void *d, struct wl_registry *r, uint32_t name, const char *iface, uint32_t v) {
	if (!strcmp(iface, wl_compositor_interface.name))
		comp = wl_registry_bind(r, name, &wl_compositor_interface, 4);
	else if (!strcmp(iface, wl_shm_interface.name))
		shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
	else if (!strcmp(iface, xdg_wm_base_interface.name))
		wm = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
}
static void global_remove(void *d, struct wl_registry *r, uint32_t name) {}
static const struct wl_registry_listener reg_l = {global, global_remove};

static void ping(void *d, struct xdg_wm_base *b, uint32_t serial) { xdg_wm_base_pong(b, serial); }
static const struct xdg_wm_base_listener wm_l = {ping};

static void surf_configure(void *d, struct xdg_surface *s, uint32_t serial) {
	xdg_surface_ack_configure(s, serial);
	configured = 1;
}
static const struct xdg_surface_listener surf_l = {surf_configure};

static void top_configure(void *d, struct xdg_toplevel *t, int32_t w, int32_t h, struct wl_array *st) {
	if (w > 0 && h > 0) {
		width = w;
		height = h;
	}
}
static void top_close(void *d, struct xdg_toplevel *t) { exit(0); }
static const struct xdg_toplevel_listener top_l = {top_configure, top_close};

static struct wl_buffer *solid(uint32_t xrgb) {
	int stride = width * 4, size = stride * height;
	int fd = memfd_create("flasher", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) < 0) { perror("memfd"); exit(1); }
	uint32_t *px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED) { perror("mmap"); exit(1); }
	for (int i = 0; i < width * height; i++) px[i] = xrgb;
	munmap(px, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
	struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return b;
}

static void show(struct wl_display *dpy, struct wl_surface *s, struct wl_buffer *b) {
	wl_surface_attach(s, b, 0, 0);
	wl_surface_damage(s, 0, 0, width, height);
	wl_surface_commit(s);
	wl_display_flush(dpy);
}

static void sleep_until(int64_t ns) {
	struct timespec ts = {ns / 1000000000, ns % 1000000000};
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 4) { fprintf(stderr, "usage: flasher EPOCH_NS FIRST COUNT\n"); return 2; }
	int64_t epoch = atoll(argv[1]);
	int first = atoi(argv[2]), count = atoi(argv[3]);
	struct wl_display *dpy = wl_display_connect(NULL);
	if (!dpy) { fprintf(stderr, "flasher: cannot connect to the Wayland display\n"); return 1; }
	struct wl_registry *reg = wl_display_get_registry(dpy);
	wl_registry_add_listener(reg, &reg_l, NULL);
	wl_display_roundtrip(dpy);
	if (!comp || !shm || !wm) { fprintf(stderr, "flasher: compositor lacks globals\n"); return 1; }
	xdg_wm_base_add_listener(wm, &wm_l, NULL);
	struct wl_surface *s = wl_compositor_create_surface(comp);
	struct xdg_surface *xs = xdg_wm_base_get_xdg_surface(wm, s);
	xdg_surface_add_listener(xs, &surf_l, NULL);
	struct xdg_toplevel *top = xdg_surface_get_toplevel(xs);
	xdg_toplevel_add_listener(top, &top_l, NULL);
	xdg_toplevel_set_fullscreen(top, NULL);
	wl_surface_commit(s);
	while (!configured && wl_display_dispatch(dpy) >= 0) {}
	struct wl_buffer *base = solid(0x00C82878), *white = solid(0x00FFFFFF);
	show(dpy, s, base);
	wl_display_roundtrip(dpy);
	printf("ready %dx%d\n", width, height);
	fflush(stdout);
	for (int k = first; k < first + count; k++) {
		sleep_until(epoch + (int64_t)k * 1000000000);
		show(dpy, s, white);
		printf("flash %d late %lld us\n", k, (long long)(now_ns() - epoch - (int64_t)k * 1000000000) / 1000);
		fflush(stdout);
		wl_display_roundtrip(dpy);
		sleep_until(epoch + (int64_t)k * 1000000000 + 300000000);
		show(dpy, s, base);
		wl_display_roundtrip(dpy);
	}
	wl_display_disconnect(dpy);
	return 0;
}
