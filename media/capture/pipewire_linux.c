//go:build linux

// PipeWire screen-cast consumer: see pipewire_linux.h. The stream runs on a
// pw_thread_loop; its process callback keeps the newest buffer (returning
// the one it replaces), and golive_pw_take copies that buffer into an
// AVFrame under a mutex. Formats: the packed RGB layouts portals offer
// (BGRx/BGRA first); memory: SHM (MemFd, MemPtr) and DMA-BUF that PipeWire
// can map.

#include "pipewire_linux.h"
#include "pipewire_syms_linux.h"

#include <dlfcn.h>
#include <errno.h>
#include <linux/dma-buf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>

struct golive_pw {
	struct pw_thread_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_stream *stream;
	struct spa_hook core_listener, stream_listener;
	int wake_fd;

	pthread_mutex_t mu; // guards everything below
	struct pw_buffer *held;
	uint32_t spa_format;
	int width, height;
	int ended;
	char why[256];
	uint64_t seq, skipped;
	int64_t shown_ns; // CLOCK_MONOTONIC when the held picture was on screen (0: none yet)
};

static void wake(golive_pw *s) {
	char b = 1;
	ssize_t r = write(s->wake_fd, &b, 1);
	(void)r; // EAGAIN: a wake-up is already pending
}

static void end_stream(golive_pw *s, const char *fmt, ...) {
	pthread_mutex_lock(&s->mu);
	if (!s->ended) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
		s->ended = 1;
	}
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message) {
	golive_pw *s = data;
	(void)seq;
	if (id == PW_ID_CORE)
		end_stream(s, "PipeWire connection lost: %s (%s)", message ? message : "", strerror(-res));
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error) {
	golive_pw *s = data;
	if (state == PW_STREAM_STATE_ERROR)
		end_stream(s, "PipeWire stream failed: %s", error ? error : "unknown error");
	else if (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED)
		end_stream(s, "PipeWire stream disconnected (the screen-cast node went away)");
}

// bytes_per_pixel is 0 for formats this binding does not read.
static int bytes_per_pixel(uint32_t f) {
	switch (f) {
	case SPA_VIDEO_FORMAT_BGRx: case SPA_VIDEO_FORMAT_BGRA: case SPA_VIDEO_FORMAT_RGBx:
	case SPA_VIDEO_FORMAT_RGBA: case SPA_VIDEO_FORMAT_xRGB: case SPA_VIDEO_FORMAT_ARGB:
	case SPA_VIDEO_FORMAT_xBGR: case SPA_VIDEO_FORMAT_ABGR:
		return 4;
	case SPA_VIDEO_FORMAT_RGB: case SPA_VIDEO_FORMAT_BGR:
		return 3;
	}
	return 0;
}

// av_format maps SPA's byte-order names to libav's (both name bytes in
// memory order for these packed formats).
static enum AVPixelFormat av_format(uint32_t f) {
	switch (f) {
	case SPA_VIDEO_FORMAT_BGRx: return AV_PIX_FMT_BGR0;
	case SPA_VIDEO_FORMAT_BGRA: return AV_PIX_FMT_BGRA;
	case SPA_VIDEO_FORMAT_RGBx: return AV_PIX_FMT_RGB0;
	case SPA_VIDEO_FORMAT_RGBA: return AV_PIX_FMT_RGBA;
	case SPA_VIDEO_FORMAT_xRGB: return AV_PIX_FMT_0RGB;
	case SPA_VIDEO_FORMAT_ARGB: return AV_PIX_FMT_ARGB;
	case SPA_VIDEO_FORMAT_xBGR: return AV_PIX_FMT_0BGR;
	case SPA_VIDEO_FORMAT_ABGR: return AV_PIX_FMT_ABGR;
	case SPA_VIDEO_FORMAT_RGB: return AV_PIX_FMT_RGB24;
	case SPA_VIDEO_FORMAT_BGR: return AV_PIX_FMT_BGR24;
	}
	return AV_PIX_FMT_NONE;
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param) {
	golive_pw *s = data;
	struct spa_video_info_raw info;
	uint32_t mt, mst;
	if (!param || id != SPA_PARAM_Format)
		return;
	if (spa_format_parse(param, &mt, &mst) < 0 || mt != SPA_MEDIA_TYPE_video || mst != SPA_MEDIA_SUBTYPE_raw)
		return;
	memset(&info, 0, sizeof(info));
	if (spa_format_video_raw_parse(param, &info) < 0)
		return;
	if (!bytes_per_pixel(info.format) || info.size.width == 0 || info.size.height == 0 ||
	    info.size.width > 16384 || info.size.height > 16384) {
		end_stream(s, "the screen cast offers an unsupported picture format (%u, %ux%u)",
			   info.format, info.size.width, info.size.height);
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->spa_format = info.format;
	s->width = info.size.width;
	s->height = info.size.height;
	pthread_mutex_unlock(&s->mu);

	uint8_t buf[512];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[2];
	params[0] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
		SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 16),
		SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(
			(1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd) | (1 << SPA_DATA_DmaBuf)));
	// the header carries the producer's timestamp of each picture
	params[1] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
		SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
		SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
	golive_pw_sym.stream_update_params(s->stream, params, 2);
}

static void on_remove_buffer(void *data, struct pw_buffer *b) {
	golive_pw *s = data;
	pthread_mutex_lock(&s->mu);
	if (s->held == b)
		s->held = NULL;
	pthread_mutex_unlock(&s->mu);
}

// readable tells whether a buffer holds a picture this process can read.
static int readable(struct pw_buffer *b) {
	struct spa_data *d = &b->buffer->datas[0];
	if (b->buffer->n_datas < 1 || !d->chunk || d->chunk->size == 0)
		return 0;
	if (d->chunk->flags & SPA_CHUNK_FLAG_CORRUPTED)
		return 0;
	return 1;
}

static int64_t monotonic_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// picture_time is when the picture was on screen (CLOCK_MONOTONIC): the
// producer's timestamp (SPA_META_Header pts, CLOCK_MONOTONIC as portals
// set it), or now, its arrival, when there is none or it is implausible
// (another clock, or older than 200 ms).
static int64_t picture_time(struct pw_buffer *b) {
	struct spa_meta_header *h = spa_buffer_find_meta_data(b->buffer, SPA_META_Header, sizeof(*h));
	int64_t now = monotonic_ns();
	if (!h || h->pts <= 0)
		return now;
	int64_t age = now - h->pts;
	return age > 0 && age < 200000000 ? h->pts : now;
}

static void on_process(void *data) {
	golive_pw *s = data;
	struct pw_buffer *b = NULL, *n;
	while ((n = golive_pw_sym.stream_dequeue_buffer(s->stream)) != NULL) { // keep the newest
		if (b)
			golive_pw_sym.stream_queue_buffer(s->stream, b);
		b = n;
	}
	if (!b)
		return;
	if (!readable(b)) {
		pthread_mutex_lock(&s->mu);
		s->skipped++;
		pthread_mutex_unlock(&s->mu);
		golive_pw_sym.stream_queue_buffer(s->stream, b);
		return;
	}
	int64_t shown = picture_time(b);
	pthread_mutex_lock(&s->mu);
	struct pw_buffer *old = s->held;
	s->held = b;
	s->shown_ns = shown;
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->mu);
	if (old)
		golive_pw_sym.stream_queue_buffer(s->stream, old);
	wake(s);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.remove_buffer = on_remove_buffer,
	.process = on_process,
};

static int connect_stream(golive_pw *s, uint32_t node, int fps) {
	uint8_t buf[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_CHOICE_ENUM_Id(11, SPA_VIDEO_FORMAT_BGRx,
			SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
			SPA_VIDEO_FORMAT_RGBA, SPA_VIDEO_FORMAT_xRGB, SPA_VIDEO_FORMAT_ARGB,
			SPA_VIDEO_FORMAT_xBGR, SPA_VIDEO_FORMAT_ABGR, SPA_VIDEO_FORMAT_RGB,
			SPA_VIDEO_FORMAT_BGR),
		SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(
			&SPA_RECTANGLE(1920, 1080), &SPA_RECTANGLE(1, 1), &SPA_RECTANGLE(16384, 16384)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(
			&SPA_FRACTION(fps, 1), &SPA_FRACTION(0, 1), &SPA_FRACTION(360, 1)));
	return golive_pw_sym.stream_connect(s->stream, PW_DIRECTION_INPUT, node,
		PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
}

golive_pw *golive_pw_open(int fd, uint32_t node, int fps, int wake_fd, char *err, int errlen) {
	if (golive_pw_load(err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	golive_pw *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->wake_fd = wake_fd;
	s->loop = golive_pw_sym.thread_loop_new("golive-screen", NULL);
	if (s->loop)
		s->context = golive_pw_sym.context_new(golive_pw_sym.thread_loop_get_loop(s->loop), NULL, 0);
	if (!s->context || golive_pw_sym.thread_loop_start(s->loop) < 0) {
		close(fd);
		snprintf(err, errlen, "cannot start a PipeWire loop: %s", strerror(errno));
		golive_pw_close(s);
		return NULL;
	}
	golive_pw_sym.thread_loop_lock(s->loop);
	s->core = golive_pw_sym.context_connect_fd(s->context, fd, NULL, 0);
	if (!s->core) {
		snprintf(err, errlen, "cannot connect to PipeWire through the portal: %s", strerror(errno));
		golive_pw_sym.thread_loop_unlock(s->loop);
		golive_pw_close(s);
		return NULL;
	}
	pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
	s->stream = golive_pw_sym.stream_new(s->core, "GoLive screen capture",
		golive_pw_sym.properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
				  PW_KEY_MEDIA_ROLE, "Screen", NULL));
	int res = s->stream ? 0 : -errno;
	if (s->stream) {
		golive_pw_sym.stream_add_listener(s->stream, &s->stream_listener, &stream_events, s);
		res = connect_stream(s, node, fps > 0 ? fps : 30);
	}
	golive_pw_sym.thread_loop_unlock(s->loop);
	if (res < 0) {
		snprintf(err, errlen, "cannot open PipeWire node %u: %s", node, strerror(-res));
		golive_pw_close(s);
		return NULL;
	}
	return s;
}

uint64_t golive_pw_seq(golive_pw *s) { return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE); }

int64_t golive_pw_age(golive_pw *s) {
	pthread_mutex_lock(&s->mu);
	int64_t shown = s->shown_ns;
	pthread_mutex_unlock(&s->mu);
	return shown > 0 ? monotonic_ns() - shown : 0;
}

uint64_t golive_pw_skipped(golive_pw *s) {
	pthread_mutex_lock(&s->mu);
	uint64_t n = s->skipped;
	pthread_mutex_unlock(&s->mu);
	return n;
}

int golive_pw_ended(golive_pw *s, char *msg, int len) {
	pthread_mutex_lock(&s->mu);
	int e = s->ended;
	if (e)
		snprintf(msg, len, "%s", s->why);
	pthread_mutex_unlock(&s->mu);
	return e;
}

static void dmabuf_sync(struct spa_data *d, uint64_t flags) {
	if (d->type != SPA_DATA_DmaBuf)
		return;
	struct dma_buf_sync sync = {.flags = flags | DMA_BUF_SYNC_READ};
	while (ioctl(d->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && (errno == EINTR || errno == EAGAIN)) {
	}
}

// copy_rows copies the crop of the held buffer into dst; s->mu is held.
static int copy_rows(golive_pw *s, AVFrame *dst, int x, int y, int w, int h) {
	struct spa_data *d = &s->held->buffer->datas[0];
	int bpp = bytes_per_pixel(s->spa_format);
	if (!d->data)
		return GOLIVE_PW_UNMAPPABLE;
	int stride = d->chunk->stride > 0 ? d->chunk->stride : s->width * bpp;
	uint64_t off = d->chunk->offset % (d->maxsize ? d->maxsize : 1);
	uint64_t need = off + (uint64_t)stride * (s->height - 1) + (uint64_t)s->width * bpp;
	if (stride < s->width * bpp || need > d->maxsize)
		return GOLIVE_PW_UNMAPPABLE; // a chunk that does not hold the picture it announces
	if (dst->format != av_format(s->spa_format) || dst->width != w || dst->height != h || !dst->buf[0]) {
		av_frame_unref(dst);
		dst->format = av_format(s->spa_format);
		dst->width = w;
		dst->height = h;
		if (av_frame_get_buffer(dst, 0) < 0)
			return GOLIVE_PW_NOMEM;
	} else if (av_frame_make_writable(dst) < 0) {
		return GOLIVE_PW_NOMEM;
	}
	const uint8_t *src = (const uint8_t *)d->data + off + (uint64_t)y * stride + (uint64_t)x * bpp;
	dmabuf_sync(d, DMA_BUF_SYNC_START);
	for (int r = 0; r < h; r++)
		memcpy(dst->data[0] + (size_t)r * dst->linesize[0], src + (size_t)r * stride, (size_t)w * bpp);
	dmabuf_sync(d, DMA_BUF_SYNC_END);
	return 0;
}

int golive_pw_take(golive_pw *s, void *dst, int x, int y, int w, int h, int *fw, int *fh) {
	pthread_mutex_lock(&s->mu);
	int res = GOLIVE_PW_NONE;
	*fw = s->width;
	*fh = s->height;
	if (s->held && s->width > 0) {
		if (w <= 0) {
			x = y = 0;
			w = s->width;
			h = s->height;
		}
		if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > s->width || y + h > s->height)
			res = GOLIVE_PW_OUTSIDE;
		else
			res = copy_rows(s, dst, x, y, w, h);
	}
	pthread_mutex_unlock(&s->mu);
	return res;
}

void golive_pw_close(golive_pw *s) {
	if (!s)
		return;
	if (s->loop) {
		golive_pw_sym.thread_loop_lock(s->loop);
		if (s->stream) {
			pthread_mutex_lock(&s->mu);
			struct pw_buffer *held = s->held;
			s->held = NULL;
			pthread_mutex_unlock(&s->mu);
			if (held)
				golive_pw_sym.stream_queue_buffer(s->stream, held);
			golive_pw_sym.stream_destroy(s->stream);
		}
		if (s->core)
			golive_pw_sym.core_disconnect(s->core);
		golive_pw_sym.thread_loop_unlock(s->loop);
		golive_pw_sym.thread_loop_stop(s->loop);
	}
	if (s->context)
		golive_pw_sym.context_destroy(s->context);
	if (s->loop)
		golive_pw_sym.thread_loop_destroy(s->loop);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
