package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"golive/app/session"
	"golive/outputs/dest"
)

// StatsSource returns the running stream's figures; false when idle.
type StatsSource func() (session.Stats, bool)

// outputStates are the values of golive_output_state's state label.
var outputStates = []dest.State{dest.StateIdle, dest.StateConnecting, dest.StateLive,
	dest.StateReconnecting, dest.StateFailed, dest.StateStopped}

var (
	outLabels     = []string{"output", "kind"}
	descLive      = prometheus.NewDesc("golive_live", "1 while a stream runs.", nil, nil)
	descState     = prometheus.NewDesc("golive_output_state", "Destination state: 1 for its current state.", []string{"output", "kind", "state"}, nil)
	descBytes     = prometheus.NewDesc("golive_output_bytes_total", "Bytes sent to the destination since it started.", outLabels, nil)
	descBitrate   = prometheus.NewDesc("golive_output_send_rate_bytes_per_second", "Send rate over the last second.", outLabels, nil)
	descDropped   = prometheus.NewDesc("golive_output_dropped_frames_total", "Video frames dropped by the destination's queue.", outLabels, nil)
	descReconn    = prometheus.NewDesc("golive_output_reconnects_total", "Reconnections of the destination.", outLabels, nil)
	descQueue     = prometheus.NewDesc("golive_output_queue_seconds", "Media waiting in the destination's queue.", outLabels, nil)
	descFPS       = prometheus.NewDesc("golive_encoder_fps", "Frames encoded per second.", nil, nil)
	descEncoded   = prometheus.NewDesc("golive_encoder_frames_total", "Video frames encoded.", nil, nil)
	descSkipped   = prometheus.NewDesc("golive_encoder_skipped_frames_total", "Video frames the encoder skipped (no CPU time).", nil, nil)
	descCaptured  = prometheus.NewDesc("golive_capture_frames_total", "Video frames captured.", nil, nil)
	descAVOffset  = prometheus.NewDesc("golive_av_offset_seconds", "Audio clock minus the shared clock.", nil, nil)
	descUploadBit = prometheus.NewDesc("golive_upload_bytes_per_second", "Send rate of every network destination together.", nil, nil)
)

// statsCollector turns a stats snapshot into metrics at scrape time.
type statsCollector struct{ src StatsSource }

func (c statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLive, descState, descBytes, descBitrate, descDropped, descReconn,
		descQueue, descFPS, descEncoded, descSkipped, descCaptured, descAVOffset, descUploadBit} {
		ch <- d
	}
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	st, live := c.src()
	ch <- prometheus.MustNewConstMetric(descLive, prometheus.GaugeValue, b2f(live && st.Live))
	if !live {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	counter := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, l...)
	}
	gauge(descFPS, st.FPS)
	counter(descEncoded, float64(st.Frames.Encoded))
	counter(descSkipped, float64(st.Frames.Skipped))
	counter(descCaptured, float64(st.Frames.Captured))
	gauge(descAVOffset, st.AVOffsetMs/1000)
	gauge(descUploadBit, st.UploadKbps*1000/8)
	seen := map[string]bool{}
	for _, o := range st.Outputs {
		if seen[o.Name] { // label sets must be unique
			continue
		}
		seen[o.Name] = true
		for _, s := range outputStates {
			gauge(descState, b2f(o.State == s), o.Name, o.Kind, string(s))
		}
		counter(descBytes, float64(o.Bytes), o.Name, o.Kind)
		gauge(descBitrate, o.BitrateKbps*1000/8, o.Name, o.Kind)
		counter(descDropped, float64(o.Dropped), o.Name, o.Kind)
		counter(descReconn, float64(o.Reconnects), o.Name, o.Kind)
		gauge(descQueue, o.QueueMs/1000, o.Name, o.Kind)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// NewMetricsRegistry returns a registry with GoLive's stream metrics, the
// process's CPU and memory, and the Go runtime's.
func NewMetricsRegistry(src StatsSource) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(statsCollector{src: src},
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	return reg
}

// MetricsServer serves the Prometheus text exposition on /metrics. Fill
// the fields, call Initialize (which listens), then Run.
type MetricsServer struct {
	Addr   string
	Source StatsSource
	Logger *slog.Logger

	ln net.Listener
	hs *http.Server
}

// Initialize starts listening.
func (m *MetricsServer) Initialize() error {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Source == nil {
		return errors.New("metrics: no stats source")
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w (choose another address)", m.Addr, err)
	}
	m.ln = ln
	mux := http.NewServeMux()
	reg := NewMetricsRegistry(m.Source)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn), MaxRequestsInFlight: 4,
		Timeout: 10 * time.Second}))
	m.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelDebug)}
	return nil
}

// ListenAddr returns the address the server listens on.
func (m *MetricsServer) ListenAddr() string { return m.ln.Addr().String() }

// Run serves until ctx ends.
func (m *MetricsServer) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.hs.Serve(m.ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = m.hs.Shutdown(sctx)
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("metrics: %w", err)
		}
		return nil
	case err := <-errc:
		return fmt.Errorf("metrics: %w", err)
	}
}
