// Package rtmp publishes the encoded stream to RTMP and RTMPS ingests
// (YouTube, Twitch, Facebook, Kick, nginx-rtmp) through
// github.com/yutopp/go-rtmp. Each destination is a dest.Worker with its own
// queue and writer goroutine, so a slow or dead server never slows the
// encoder or another destination.
//
// References: Adobe RTMP specification 1.0
// (https://rtmp.veriskope.com/docs/spec/), FLV/F4V specification 10.1
// (video and audio tag formats), Enhanced RTMP
// (https://github.com/veovera/enhanced-rtmp).
package rtmp
