// Package rtmp publishes the encoded stream to RTMP and RTMPS ingests
// (YouTube, Twitch, Facebook, Kick, nginx-rtmp). The handshake, the chunk
// reader and the message codecs come from github.com/yutopp/go-rtmp; the
// chunk writer is our own (chunk.go) and writes each message with one
// Write from the sending goroutine. Each destination is a dest.Worker with
// its own queue and writer goroutine, so a slow or dead server never slows
// the encoder or another destination.
//
// References: Adobe RTMP specification 1.0
// (https://rtmp.veriskope.com/docs/spec/), FLV/F4V specification 10.1
// (video and audio tag formats), Enhanced RTMP
// (https://github.com/veovera/enhanced-rtmp).
package rtmp
