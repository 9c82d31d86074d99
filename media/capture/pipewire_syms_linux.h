// The libpipewire-0.3 functions the binding calls, resolved with dlsym
// by golive_pw_load (pipewire_load_linux.c).
#ifndef GOLIVE_PIPEWIRE_SYMS_H
#define GOLIVE_PIPEWIRE_SYMS_H

#include <pipewire/pipewire.h>

struct golive_pw_syms {
	__typeof__(pw_init) *init;
	__typeof__(pw_thread_loop_new) *thread_loop_new;
	__typeof__(pw_thread_loop_get_loop) *thread_loop_get_loop;
	__typeof__(pw_thread_loop_start) *thread_loop_start;
	__typeof__(pw_thread_loop_stop) *thread_loop_stop;
	__typeof__(pw_thread_loop_lock) *thread_loop_lock;
	__typeof__(pw_thread_loop_unlock) *thread_loop_unlock;
	__typeof__(pw_thread_loop_destroy) *thread_loop_destroy;
	__typeof__(pw_context_new) *context_new;
	__typeof__(pw_context_destroy) *context_destroy;
	__typeof__(pw_context_connect_fd) *context_connect_fd;
	__typeof__(pw_core_disconnect) *core_disconnect;
	__typeof__(pw_properties_new) *properties_new;
	__typeof__(pw_stream_new) *stream_new;
	__typeof__(pw_stream_add_listener) *stream_add_listener;
	__typeof__(pw_stream_connect) *stream_connect;
	__typeof__(pw_stream_dequeue_buffer) *stream_dequeue_buffer;
	__typeof__(pw_stream_queue_buffer) *stream_queue_buffer;
	__typeof__(pw_stream_update_params) *stream_update_params;
	__typeof__(pw_stream_destroy) *stream_destroy;
};

extern struct golive_pw_syms golive_pw_sym;

#endif
