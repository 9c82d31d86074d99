package rtmp

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/interleave"
)

// maxBatch bounds the packets the muxer sends with one write.
const maxBatch = 16

// muxer turns packets into RTMP audio and video messages on one
// connection. Each time its reader wakes it, it takes every packet
// queued (up to maxBatch) into a merge by timestamp (interleave.Merger)
// and sends the messages the merge lets go with one write: a frame goes
// out with the audio of its instant, in timestamp order, as a server that
// stamps media by arrival needs. Its buffers are reused: steady state
// allocates nothing.
type muxer struct {
	c        *clientConn
	s        *dest.Session
	p        *Publisher
	streamID uint32
	merge    interleave.Merger

	sentAVC bool
	// sps and pps are those of the last AVC sequence header sent, and
	// with vps those of the last HEVC/AV1 sequence start (AV1's sequence
	// header in sps): a key frame with others (the destination moved to
	// another encoder, see stream.Reader.MoveTo) sends a new one first
	// (exparams.go).
	vps, sps, pps []byte
	// moves is the reader's move count at the last HEVC/AV1 sequence
	// start; movesOf, when set, counts them instead of the reader (tests).
	moves     uint64
	movesOf   func() uint64
	lastVideo uint32
	lastAudio uint32

	// The batch: tag bodies one after the other in buf, message i's
	// body ending at ends[i]; video frames and audio packets in it.
	buf      []byte
	msgs     []outMessage
	ends     []int
	captures []time.Time
	frames   uint64
	audio    uint64
}

func (m *muxer) run(ctx context.Context) error {
	if err := m.sendHeaders(ctx); err != nil {
		return err
	}
	tr := m.s.Tracks
	m.merge = interleave.Merger{
		Video: tr.Video != nil, Audio: tr.AudioFor(unit.CodecAAC) != nil,
		AudioHold: interleave.FrameInterval(tr.Video), VideoLead: interleave.ArrivalLead,
	}
	defer m.merge.Stop()
	for {
		pkt, err := m.merge.Next(ctx, m.s.Reader)
		if errors.Is(err, stream.ErrClosed) {
			return m.drain(ctx, err)
		}
		if err != nil {
			return err
		}
		if err := m.c.pollErr(); err != nil {
			return err
		}
		now := time.Now()
		for n := 0; pkt != nil; n++ {
			m.merge.Push(pkt, now)
			if n == maxBatch {
				break
			}
			pkt = m.s.Reader.TryRead()
		}
		if err := m.send(ctx, now); err != nil {
			return err
		}
		m.merge.WakeForAudio(m.s.Reader)
	}
}

// send writes the packets the merge lets go at now, up to maxBatch per
// write.
func (m *muxer) send(ctx context.Context, now time.Time) error {
	for {
		n := 0
		for ; n < maxBatch; n++ {
			pkt := m.merge.Pop(now)
			if pkt == nil {
				break
			}
			if err := m.add(pkt); err != nil {
				return err
			}
		}
		if err := m.flush(ctx); err != nil || n < maxBatch {
			return err
		}
	}
}

// drain sends what the merge still holds once the stream ended, then
// returns end.
func (m *muxer) drain(ctx context.Context, end error) error {
	for pkt := m.merge.Drain(); pkt != nil; pkt = m.merge.Drain() {
		if err := m.add(pkt); err != nil {
			return err
		}
	}
	if err := m.flush(ctx); err != nil {
		return err
	}
	return end
}

// endSequence sends the end of the video sequence at unpublish (after
// the last frame, at its timestamp), when a sequence start was sent.
func (m *muxer) endSequence(ctx context.Context) error {
	v := m.s.Tracks.Video
	if v == nil || !m.sentAVC {
		return nil
	}
	m.buf = appendSequenceEnd(m.buf, v.Codec)
	m.endMessage(csVideo, typeVideo, m.lastVideo, time.Time{})
	return m.flush(ctx)
}

// sendHeaders sends @setDataFrame onMetaData, then the AAC and AVC
// sequence headers (the AVC one waits for the first key frame when the
// tracks carry no SPS/PPS).
func (m *muxer) sendHeaders(ctx context.Context) error {
	body, err := metadataBody(m.s.Tracks)
	if err != nil {
		return err
	}
	err = m.c.write(ctx, csData, 0, m.streamID, &message.DataMessage{
		Name: "@setDataFrame", Encoding: message.EncodingTypeAMF0, Body: bytes.NewReader(body),
	})
	if err != nil {
		return err
	}
	if a := m.s.Tracks.AudioFor(unit.CodecAAC); a != nil {
		hdr, err := aacSequenceHeader(a.Config)
		if err != nil {
			return dest.Fatal(err)
		}
		m.addMessage(csAudio, typeAudio, 0, hdr, time.Time{})
	}
	if v := m.s.Tracks.Video; v != nil && fourCC(v.Codec) != "" {
		if err := m.addExSequenceStart(0, v); err != nil {
			return err
		}
	} else if v != nil && len(v.SPS) > 0 && len(v.PPS) > 0 {
		if err := m.addAVCHeader(0, v.SPS, v.PPS); err != nil {
			return err
		}
	}
	return m.flush(ctx)
}

func (m *muxer) addAVCHeader(ts uint32, sps, pps []byte) error {
	hdr, err := avcSequenceHeader(sps, pps)
	if err != nil {
		return dest.Fatal(err)
	}
	m.sentAVC = true
	m.sps, m.pps = append(m.sps[:0], sps...), append(m.pps[:0], pps...)
	m.addMessage(csVideo, typeVideo, ts, hdr, time.Time{})
	return nil
}

// newParameterSets returns the SPS and PPS of key frame pkt when they
// differ from those last sent (nil, nil otherwise).
func (m *muxer) newParameterSets(pkt *unit.Packet) (sps, pps []byte) {
	sps, pps = parameterSets(pkt)
	if len(sps) == 0 || len(pps) == 0 || (bytes.Equal(sps, m.sps) && bytes.Equal(pps, m.pps)) {
		return nil, nil
	}
	return sps, pps
}

// add puts the message(s) of pkt into the batch.
func (m *muxer) add(pkt *unit.Packet) error {
	ts := uint32(max(0, pkt.DTS/time.Millisecond))
	switch pkt.Codec {
	case unit.CodecH264:
		if !pkt.CaptureTime.IsZero() {
			m.p.dequeue.record(time.Since(pkt.CaptureTime))
		}
		ts = max(ts, m.lastVideo)
		m.lastVideo = ts
		if !m.sentAVC {
			if !pkt.Key {
				return nil
			}
			sps, pps := parameterSets(pkt)
			if err := m.addAVCHeader(ts, sps, pps); err != nil {
				return err
			}
		} else if pkt.Key {
			if sps, pps := m.newParameterSets(pkt); sps != nil {
				if err := m.addAVCHeader(ts, sps, pps); err != nil {
					return err
				}
			}
		}
		m.buf = appendVideoTag(m.buf, pkt)
		m.endMessage(csVideo, typeVideo, ts, pkt.CaptureTime)
		m.frames++
	case unit.CodecHEVC, unit.CodecAV1:
		if !pkt.CaptureTime.IsZero() {
			m.p.dequeue.record(time.Since(pkt.CaptureTime))
		}
		ts = max(ts, m.lastVideo)
		m.lastVideo = ts
		if !m.sentAVC { // the sequence start is sent with the headers
			return nil
		}
		if pkt.Key {
			if err := m.newExSequenceStart(ts, pkt); err != nil {
				return err
			}
		}
		m.buf = appendExVideoTag(m.buf, pkt)
		m.endMessage(csVideo, typeVideo, ts, pkt.CaptureTime)
		m.frames++
	case unit.CodecAAC:
		ts = max(ts, m.lastAudio)
		m.lastAudio = ts
		m.buf = appendAudioTag(m.buf, pkt)
		m.endMessage(csAudio, typeAudio, ts, time.Time{})
		m.audio++
	}
	return nil
}

// addMessage puts a tag body into the batch.
func (m *muxer) addMessage(csid int, typeID uint8, ts uint32, body []byte, capture time.Time) {
	m.buf = append(m.buf, body...)
	m.endMessage(csid, typeID, ts, capture)
}

// endMessage closes the message whose body was just appended to buf.
// capture is the capture time of the video frame it carries (zero for a
// sequence header or audio), for the latency histogram.
func (m *muxer) endMessage(csid int, typeID uint8, ts uint32, capture time.Time) {
	m.msgs = append(m.msgs, outMessage{csid: csid, typeID: typeID, timestamp: ts, streamID: m.streamID})
	m.ends = append(m.ends, len(m.buf))
	m.captures = append(m.captures, capture)
}

// flush sends the batch with one write and empties it.
func (m *muxer) flush(ctx context.Context) error {
	if len(m.msgs) == 0 {
		return nil
	}
	start := 0
	for i, end := range m.ends {
		m.msgs[i].payload = m.buf[start:end]
		start = end
	}
	err := m.c.writeMessages(ctx, m.msgs, m.captures)
	if err == nil {
		m.s.Counters.FramesSent.Add(m.frames)
		if m.audio > 0 {
			m.p.mu.Lock()
			m.p.detail.audioFrames += m.audio
			m.p.mu.Unlock()
		}
	}
	clear(m.msgs) // the payloads
	m.buf, m.msgs, m.ends, m.captures = m.buf[:0], m.msgs[:0], m.ends[:0], m.captures[:0]
	m.frames, m.audio = 0, 0
	return err
}
