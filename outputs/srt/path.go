package srt

import "golive/outputs/dest"

// pathFigures reads what libsrt knows of the path for an adaptive
// encoder (dest.Counters.SetPath), in the terms of TCP's: the messages
// handed to libsrt leave its send buffer acknowledged by the listener or
// dropped too late to send (SRT's TLPKTDROP), so the bytes acknowledged
// are those handed less those in the buffer (Unacked: the backlog, as a
// TCP socket's) and those dropped. Packets are counted at the average
// size of the messages handed (7 TS packets, a few shorter). Lost counts
// the packets the listener reported lost (NAK) and those dropped, Sent
// every packet sent (retransmissions included).
func (s *socket) pathFigures() (dest.PathFigures, bool) {
	st, ok := s.stats()
	n, bytes := s.handed.Load(), s.handedBytes.Load()
	if !ok || n == 0 {
		return dest.PathFigures{}, false
	}
	size := float64(bytes) / float64(n)
	unacked := uint64(float64(st.SendBufPackets) * size)
	gone := unacked + uint64(float64(max(0, st.Dropped))*size)
	acked := s.acked.Load()
	if bytes > gone {
		acked = max(acked, bytes-gone)
	}
	s.acked.Store(acked)
	return dest.PathFigures{Acked: acked, Unacked: unacked, HasAcked: true,
		Sent: uint64(max(0, st.Sent)), Lost: uint64(max(0, st.Lost+st.Dropped))}, true
}
