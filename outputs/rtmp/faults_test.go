package rtmp

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
)

// TestReconnectAfterServerRestart stops one nginx for 5 s mid-stream: its
// destination reconnects soon after the server returns and the stream
// pulled afterwards decodes cleanly, while a second destination on
// another nginx loses no frame.
func TestReconnectAfterServerRestart(t *testing.T) {
	t.Parallel()
	ngA, ngB := testpeer.StartNginxRTMP(t), testpeer.StartNginxRTMP(t)
	s := startEngine(t)
	pb := testpeer.StartRTMPPull(t, ngB, "live", "steady")
	ha := startHandler(t, "restarting", s, &Publisher{URL: ngA.RTMPURL("live", "rec")})
	hb := startHandler(t, "steady", s, &Publisher{URL: ngB.RTMPURL("live", "steady")})
	waitState(t, ha, dest.StateLive, 10*time.Second)
	waitState(t, hb, dest.StateLive, 10*time.Second)
	waitFrames(t, ha, 60, 20*time.Second)
	waitFrames(t, hb, 60, 20*time.Second)
	droppedB := hb.Status().Dropped // frames before the first key frame

	ngA.Stop()
	down := waitState(t, ha, dest.StateReconnecting, 10*time.Second)
	if down.LastError == "" || down.Reconnects != 0 && down.State != dest.StateReconnecting {
		t.Fatalf("no error reported after the server stopped: %+v", down)
	}
	time.Sleep(5 * time.Second)
	ngA.Start()
	back := time.Now()
	st := waitState(t, ha, dest.StateLive, 15*time.Second)
	took := time.Since(back)
	t.Logf("live again %v after the server returned (listening)", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("reconnected %v after the server returned, want within 3 s", took)
	}
	if st.Reconnects == 0 {
		t.Errorf("status reports no reconnect: %+v", st)
	}
	// A player joining now starts at the next key frame (wait_key).
	pa := testpeer.StartRTMPPull(t, ngA, "live", "rec")
	sentA := ha.Status().FramesSent
	waitFrames(t, ha, sentA+120, 20*time.Second)
	final := closeAll(ha, hb)

	a := pa.Wait(t)
	if n := a.Count("video"); n < 60 || len(a.Errors) > 0 || a.Stream("video") == nil || a.Stream("video").Width != 1280 {
		t.Errorf("after reconnect: %d video frames, errors %q, streams %+v", n, a.Errors, a.Streams)
	}
	checkDecoded(t, "steady", pb.Wait(t), final[1].FramesSent, 150)
	if final[1].Dropped != droppedB || final[1].Reconnects != 0 {
		t.Errorf("steady destination was disturbed: dropped %d -> %d, reconnects %d", droppedB, final[1].Dropped, final[1].Reconnects)
	}
}

// TestBlackHoleDestinationIsolated turns one destination's path into a
// black hole (the proxy stops reading): its queue stays bounded and its
// drops climb, memory stays flat, and the other destination keeps every
// frame.
func TestBlackHoleDestinationIsolated(t *testing.T) {
	t.Parallel()
	ngA, ngB := testpeer.StartNginxRTMP(t), testpeer.StartNginxRTMP(t)
	s := startEngine(t)
	proxy := testpeer.StartTCPProxy(t, "127.0.0.1:"+strconv.Itoa(ngA.RTMPPort))
	pb := testpeer.StartRTMPPull(t, ngB, "live", "healthy")
	ha := startHandler(t, "stuck", s, &Publisher{URL: "rtmp://" + proxy.Addr() + "/live/stuck",
		Timeout: 2 * time.Second, WriteTimeout: 3 * time.Second, SendBuffer: 64 * 1024})
	hb := startHandler(t, "healthy", s, &Publisher{URL: ngB.RTMPURL("live", "healthy")})
	waitState(t, ha, dest.StateLive, 10*time.Second)
	waitState(t, hb, dest.StateLive, 10*time.Second)
	waitFrames(t, ha, 30, 20*time.Second)
	waitFrames(t, hb, 30, 20*time.Second)
	before := map[string]dest.Status{"stuck": ha.Status(), "healthy": hb.Status()}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapAlloc

	proxy.SetMode(testpeer.ProxyBlackHole)
	var maxQueue float64
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		maxQueue = max(maxQueue, ha.Status().QueueMs)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	stuck, healthy := ha.Status(), hb.Status()
	t.Logf("stuck: %+v; max queue %.0f ms; heap %d -> %d kB", stuck, maxQueue, heapBefore/1024, ms.HeapAlloc/1024)
	healthySent := healthy.FramesSent - before["healthy"].FramesSent
	if stuckSent := stuck.FramesSent - before["stuck"].FramesSent; stuckSent > healthySent/2 ||
		stuck.Dropped < before["stuck"].Dropped+healthySent/3 {
		t.Errorf("stuck destination sent %d frames (healthy %d), dropped %d -> %d: want a stall and climbing drops",
			stuckSent, healthySent, before["stuck"].Dropped, stuck.Dropped)
	}
	// Video goes beyond MaxQueuePFrames; audio may stay up to twice that.
	if maxQueue > 2*float64(MaxQueuePFrames/time.Millisecond)+100 {
		t.Errorf("stuck queue reached %.0f ms", maxQueue)
	}
	if grow := int64(ms.HeapAlloc) - int64(heapBefore); grow > 64<<20 {
		t.Errorf("heap grew by %d MB while a destination was stuck", grow>>20)
	}
	if healthySent < 60 || healthy.Dropped != before["healthy"].Dropped || healthy.Reconnects != 0 {
		t.Errorf("healthy destination: %d frames in 8 s, dropped %d -> %d, reconnects %d",
			healthySent, before["healthy"].Dropped, healthy.Dropped, healthy.Reconnects)
	}
	proxy.SetMode(testpeer.ProxyForward)
	final := closeAll(ha, hb)
	checkDecoded(t, "healthy", pb.Wait(t), final[1].FramesSent, 150)
}
