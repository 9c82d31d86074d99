//go:build linux

// Loading libpipewire-0.3 at run time (dlopen): GoLive starts and captures
// X11 where PipeWire is not installed, and says so when a Wayland capture
// needs it.

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "pipewire_linux.h"
#include "pipewire_syms_linux.h"

struct golive_pw_syms golive_pw_sym;


static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_err[256];

#define SYM(field, name)                                                        \
	if (!(golive_pw_sym.field = (__typeof__(golive_pw_sym.field))dlsym(lib, name))) {             \
		snprintf(load_err, sizeof(load_err), "libpipewire-0.3 lacks %s", name); \
		return;                                                         \
	}

static void load(void) {
	void *lib = dlopen("libpipewire-0.3.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_err, sizeof(load_err), "%s", dlerror());
		return;
	}
	SYM(init, "pw_init") SYM(thread_loop_new, "pw_thread_loop_new")
	SYM(thread_loop_get_loop, "pw_thread_loop_get_loop") SYM(thread_loop_start, "pw_thread_loop_start")
	SYM(thread_loop_stop, "pw_thread_loop_stop") SYM(thread_loop_lock, "pw_thread_loop_lock")
	SYM(thread_loop_unlock, "pw_thread_loop_unlock") SYM(thread_loop_destroy, "pw_thread_loop_destroy")
	SYM(context_new, "pw_context_new") SYM(context_destroy, "pw_context_destroy")
	SYM(context_connect_fd, "pw_context_connect_fd") SYM(core_disconnect, "pw_core_disconnect")
	SYM(properties_new, "pw_properties_new") SYM(stream_new, "pw_stream_new")
	SYM(stream_add_listener, "pw_stream_add_listener") SYM(stream_connect, "pw_stream_connect")
	SYM(stream_dequeue_buffer, "pw_stream_dequeue_buffer") SYM(stream_queue_buffer, "pw_stream_queue_buffer")
	SYM(stream_update_params, "pw_stream_update_params") SYM(stream_destroy, "pw_stream_destroy")
	golive_pw_sym.init(NULL, NULL);
}

int golive_pw_load(char *err, int errlen) {
	pthread_once(&load_once, load);
	if (!golive_pw_sym.init || load_err[0]) {
		snprintf(err, errlen, "%s", load_err[0] ? load_err : "libpipewire-0.3 not loaded");
		return -1;
	}
	return 0;
}

