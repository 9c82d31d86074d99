// Package rtmp publishes the encoded stream to RTMP and RTMPS ingests
// (YouTube, Twitch, Facebook, Kick, nginx-rtmp). The handshake and the
// message encoders come from github.com/yutopp/go-rtmp; the chunk writer
// is our own (chunk.go) and writes each message with one Write from the
// sending goroutine, and so are the chunk reader (reader.go, bounded by
// ReaderLimits) and the AMF0 decoder of server commands (amf.go, bounded
// depth and counts): what a server sends decides neither our memory nor
// our CPU (read.go rate-limits what it can make us answer). Each
// destination is a dest.Worker with its own queue and writer goroutine, so
// a slow or dead server never slows the encoder or another destination.
//
// References: Adobe RTMP specification 1.0
// (https://rtmp.veriskope.com/docs/spec/), FLV/F4V specification 10.1
// (video and audio tag formats), Enhanced RTMP
// (https://github.com/veovera/enhanced-rtmp).
package rtmp
