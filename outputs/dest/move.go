package dest

import "golive/media/stream"

// MoveTo makes the destination read st (another encoder's stream of the
// same capture) from st's next video key frame on, without reconnecting
// (stream.Reader.MoveTo); keyFrame asks st's encoder for a key frame, and
// is called at once so that the move completes within about a second. A
// worker whose protocol carries a change of parameter sets in band (RTMP
// sends a new sequence header) goes on as if nothing happened. It returns
// false when the handler's reader or st is closed.
func (h *Handler) MoveTo(st *stream.Stream, keyFrame func()) bool {
	if keyFrame != nil {
		h.keyFrame.Store(&keyFrame)
	}
	if !h.reader.MoveTo(st) {
		return false
	}
	h.requestKeyFrame()
	return true
}

// Moving reports whether a MoveTo waits for its key frame.
func (h *Handler) Moving() bool {
	pending, _ := h.reader.Moving()
	return pending
}

// WaitingKeyFrame reports whether the destination drops video until the
// next key frame (its queue overflowed).
func (h *Handler) WaitingKeyFrame() bool { return h.reader.WaitingKeyFrame() }

// requestKeyFrame asks the encoder the destination reads for a key frame
// (a no-op without KeyFrame).
func (h *Handler) requestKeyFrame() {
	if f := h.keyFrame.Load(); f != nil {
		(*f)()
	}
}
