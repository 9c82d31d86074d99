// Package testpeer starts and drives the real peers that GoLive's tests
// check their output against: ffprobe/ffmpeg decoders, Xvfb, nginx-rtmp,
// VLC. It is used only from tests.
package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// StreamInfo is one stream as ffprobe reports it.
type StreamInfo struct {
	Index      int    `json:"index"`
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Profile    string `json:"profile"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	PixFmt     string `json:"pix_fmt"`
	SampleRate string `json:"sample_rate"`
	Channels   int    `json:"channels"`
	RFrameRate string `json:"r_frame_rate"`
}

// FrameInfo is one decoded frame as ffprobe reports it.
type FrameInfo struct {
	MediaType string `json:"media_type"`
	KeyFrame  int    `json:"key_frame"`
	PTSTime   string `json:"pts_time"`
	BestTime  string `json:"best_effort_timestamp_time"`
	PictType  string `json:"pict_type"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
}

// Time returns the frame's presentation time in seconds (NaN-free: -1 when
// unknown).
func (f FrameInfo) Time() float64 {
	for _, s := range []string{f.PTSTime, f.BestTime} {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return -1
}

// Analysis is what ffprobe decoded from an input.
type Analysis struct {
	Streams []StreamInfo `json:"streams"`
	Frames  []FrameInfo  `json:"frames"`
	// Errors are the lines ffprobe printed at level "error" while
	// decoding: a clean input has none.
	Errors []string `json:"-"`
}

// Stream returns the first stream of the given type ("video", "audio").
func (a *Analysis) Stream(codecType string) *StreamInfo {
	for i := range a.Streams {
		if a.Streams[i].CodecType == codecType {
			return &a.Streams[i]
		}
	}
	return nil
}

// Count returns how many frames of the media type were decoded.
func (a *Analysis) Count(mediaType string) int {
	n := 0
	for _, f := range a.Frames {
		if f.MediaType == mediaType {
			n++
		}
	}
	return n
}

// KeyFrameIndexes returns the indexes, among video frames, of key frames.
func (a *Analysis) KeyFrameIndexes() []int {
	var out []int
	i := 0
	for _, f := range a.Frames {
		if f.MediaType != "video" {
			continue
		}
		if f.KeyFrame == 1 {
			out = append(out, i)
		}
		i++
	}
	return out
}

// Analyze decodes input fully with ffprobe (streams and every frame) and
// collects decode errors. inputArgs go before -i (e.g. "-protocol_whitelist",
// "file,udp,rtp"). It fails only when ffprobe cannot run or its output
// cannot be parsed; decode errors are returned in Analysis.Errors.
func Analyze(ctx context.Context, input string, inputArgs ...string) (*Analysis, error) {
	args := []string{"-v", "error", "-print_format", "json", "-show_streams",
		"-show_entries", "frame=media_type,key_frame,pts_time,best_effort_timestamp_time,pict_type,width,height"}
	args = append(args, inputArgs...)
	args = append(args, "-i", input)
	cmd := exec.CommandContext(ctx, "ffprobe", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var a Analysis
	if err := json.Unmarshal(stdout.Bytes(), &a); err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w (%w): %s", input, runErr, err, stderr.String())
	}
	a.Errors = nonEmptyLines(stderr.String())
	if runErr != nil && len(a.Errors) == 0 {
		a.Errors = []string{runErr.Error()}
	}
	return &a, nil
}

// DecodeErrors runs `ffmpeg -v error -i input -f null -` (with inputArgs
// before -i and outputArgs such as "-t", "10" before the output) and
// returns the error lines it printed; a clean decode returns none.
func DecodeErrors(ctx context.Context, input string, inputArgs, outputArgs []string) ([]string, error) {
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error"}, inputArgs...)
	args = append(args, "-i", input)
	args = append(args, outputArgs...)
	args = append(args, "-f", "null", "-")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	lines := nonEmptyLines(stderr.String())
	if err != nil && ctx.Err() == nil {
		return append(lines, err.Error()), nil
	}
	return lines, nil
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
