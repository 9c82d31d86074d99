package testpeer

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// NginxStream is one live stream in nginx-rtmp's statistics.
type NginxStream struct {
	Name       string    `xml:"name"`
	BytesIn    int64     `xml:"bytes_in"`
	BWIn       int64     `xml:"bw_in"`
	NClients   int       `xml:"nclients"`
	Publishing *struct{} `xml:"publishing"`
	Video      struct {
		Width     int    `xml:"width"`
		Height    int    `xml:"height"`
		FrameRate int    `xml:"frame_rate"`
		Codec     string `xml:"codec"`
	} `xml:"meta>video"`
	Audio struct {
		Codec      string `xml:"codec"`
		SampleRate int    `xml:"sample_rate"`
		Channels   int    `xml:"channels"`
	} `xml:"meta>audio"`
}

// NginxStat is nginx-rtmp's /stat document (rtmp_stat all).
type NginxStat struct {
	Applications []struct {
		Name    string        `xml:"name"`
		Streams []NginxStream `xml:"live>stream"`
	} `xml:"server>application"`
}

// Streams returns the live streams of an application.
func (s *NginxStat) Streams(app string) []NginxStream {
	for _, a := range s.Applications {
		if a.Name == app {
			return a.Streams
		}
	}
	return nil
}

// Stream returns one stream of an application, or nil.
func (s *NginxStat) Stream(app, name string) *NginxStream {
	for _, st := range s.Streams(app) {
		if st.Name == name {
			return &st
		}
	}
	return nil
}

// DropSubscribers disconnects the players of a stream (nginx-rtmp's
// control module), ending a pull that would otherwise wait for the next
// publisher. It returns how many were dropped.
func (n *Nginx) DropSubscribers(app, name string) (int, error) {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/control/drop/subscriber?app=%s&name=%s",
		n.HTTPPort, url.QueryEscape(app), url.QueryEscape(name)))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("nginx control: %s", resp.Status)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Stat fetches and parses /stat.
func (n *Nginx) Stat() (*NginxStat, error) {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/stat", n.HTTPPort))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var st NginxStat
	if err := xml.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("parse nginx stat: %w", err)
	}
	return &st, nil
}
