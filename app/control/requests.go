package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Per-connection request pacing: a client can send bursts of requestBurst
// requests, then requestRate a second; past that its requests wait.
const (
	requestRate  = 100
	requestBurst = 200
)

// requestLimiter is a token bucket; only the session's reader uses it.
type requestLimiter struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

// wait blocks until a request may run, or returns false when the session
// ends first.
func (l *requestLimiter) wait(c *conn) bool {
	now := time.Now()
	if l.last.IsZero() {
		l.tokens = l.burst
	} else {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return true
	}
	d := time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		l.tokens, l.last = 0, time.Now()
		return true
	case <-c.ctx.Done():
		return false
	}
}

// reqError is a request failure with its status code.
type reqError struct {
	Status  Status
	Comment string
}

func (e *reqError) Error() string { return e.Comment }

func fail(st Status, format string, args ...any) error {
	return &reqError{Status: st, Comment: fmt.Sprintf(format, args...)}
}

// handlerFunc answers one request type.
type handlerFunc func(c *conn, data map[string]json.RawMessage) (map[string]any, error)

// handlers maps every request type GoLive answers; anything else gets
// UnknownRequestType (204).
var handlers map[string]handlerFunc

func init() {
	handlers = map[string]handlerFunc{
		"GetVersion":        getVersion,
		"GetStats":          getStats,
		"GetStreamStatus":   getStreamStatus,
		"StartStream":       startStream,
		"StopStream":        stopStream,
		"ToggleStream":      toggleStream,
		"GetProfileList":    getProfileList,
		"SetCurrentProfile": setCurrentProfile,
		"GetOutputList":     getOutputList,
		"GetOutputStatus":   getOutputStatus,
		"StartOutput":       startOutput,
		"StopOutput":        stopOutput,
		"ToggleOutput":      toggleOutput,
		"GetRecordStatus":   getRecordStatus,
		"StartRecord":       startRecord,
		"StopRecord":        stopRecord,
		"ToggleRecord":      toggleRecord,
	}
}

// requestTypes lists the request types GoLive answers, sorted.
func requestTypes() []string {
	out := make([]string, 0, len(handlers))
	for k := range handlers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// request handles a Request (op 6).
func (c *conn) request(d map[string]json.RawMessage) error {
	raw, ok := d["requestType"]
	if !ok {
		return closeWith(CloseMissingDataField, "Request without requestType")
	}
	typ, err := stringField(raw, maxTypeBytes)
	if err != nil {
		return closeWith(CloseInvalidDataFieldType, "requestType: %v", err)
	}
	raw, ok = d["requestId"]
	if !ok {
		return closeWith(CloseMissingDataField, "Request without requestId")
	}
	id, err := stringField(raw, maxIDBytes)
	if err != nil {
		return closeWith(CloseInvalidDataFieldType, "requestId: %v", err)
	}
	if !c.limiter.wait(c) {
		return nil
	}
	resp := c.run(typ, d["requestData"])
	resp.RequestID = id
	c.send(outMessage{Op: OpRequestResponse, D: resp})
	return nil
}

// batchRequest is one request of a RequestBatch.
type batchRequest struct {
	RequestType json.RawMessage `json:"requestType"`
	RequestID   json.RawMessage `json:"requestId"`
	RequestData json.RawMessage `json:"requestData"`
}

// batch handles a RequestBatch (op 8): its requests run in order.
func (c *conn) batch(d map[string]json.RawMessage) error {
	raw, ok := d["requestId"]
	if !ok {
		return closeWith(CloseMissingDataField, "RequestBatch without requestId")
	}
	id, err := stringField(raw, maxIDBytes)
	if err != nil {
		return closeWith(CloseInvalidDataFieldType, "requestId: %v", err)
	}
	halt := false
	if raw, ok := d["haltOnFailure"]; ok && !isNull(raw) {
		if json.Unmarshal(raw, &halt) != nil {
			return closeWith(CloseInvalidDataFieldType, "haltOnFailure is not a boolean")
		}
	}
	if raw, ok := d["executionType"]; ok && !isNull(raw) {
		et, err := intField(raw)
		if err != nil {
			return closeWith(CloseInvalidDataFieldType, "executionType: %v", err)
		}
		if et < 0 || et > 2 {
			return closeWith(CloseInvalidDataFieldValue, "executionType %d: want 0, 1 or 2", et)
		}
	}
	var reqs []batchRequest
	if json.Unmarshal(d["requests"], &reqs) != nil {
		return closeWith(CloseInvalidDataFieldType, "requests is not an array of objects")
	}
	if len(reqs) > MaxBatchRequests {
		return closeWith(CloseInvalidDataFieldValue, "a batch of %d requests: at most %d", len(reqs), MaxBatchRequests)
	}
	results := make([]response, 0, len(reqs))
	for _, r := range reqs {
		if !c.limiter.wait(c) {
			return nil
		}
		res := c.batchOne(r)
		results = append(results, res)
		if halt && !res.RequestStatus.Result {
			break
		}
	}
	c.send(outMessage{Op: OpRequestBatchResponse, D: batchResponse{RequestID: id, Results: results}})
	return nil
}

func (c *conn) batchOne(r batchRequest) response {
	id, _ := stringField(r.RequestID, maxIDBytes)
	if isNull(r.RequestType) {
		return response{RequestID: id, RequestStatus: requestStatus{Code: StatusMissingRequestType,
			Comment: "missing requestType"}}
	}
	typ, err := stringField(r.RequestType, maxTypeBytes)
	if err != nil {
		return response{RequestID: id, RequestStatus: requestStatus{Code: StatusMissingRequestType,
			Comment: "requestType: " + err.Error()}}
	}
	res := c.run(typ, r.RequestData)
	res.RequestID = id
	return res
}

// run answers one request; it never panics on what the client sent.
func (c *conn) run(typ string, rawData json.RawMessage) response {
	res := response{RequestType: typ}
	h, ok := handlers[typ]
	if !ok {
		res.RequestStatus = requestStatus{Code: StatusUnknownRequestType,
			Comment: "GoLive does not implement this request type"}
		return res
	}
	data := map[string]json.RawMessage{}
	if !isNull(rawData) {
		if json.Unmarshal(rawData, &data) != nil {
			res.RequestStatus = requestStatus{Code: StatusMissingRequestData, Comment: "requestData is not an object"}
			return res
		}
	}
	out, err := h(c, data)
	if err != nil {
		st := statusOf(err)
		var re *reqError
		if errors.As(err, &re) {
			st = re.Status
		}
		res.RequestStatus = requestStatus{Code: st, Comment: c.s.Secrets.Redact(err.Error())}
		return res
	}
	res.RequestStatus = requestStatus{Result: true, Code: StatusSuccess}
	res.ResponseData = out
	return res
}

// nameField reads a required, non-empty string field of requestData.
func nameField(data map[string]json.RawMessage, field string) (string, error) {
	raw, ok := data[field]
	if !ok || isNull(raw) {
		return "", fail(StatusMissingRequestField, "missing field %s", field)
	}
	s, err := stringField(raw, 256)
	if err != nil {
		return "", fail(StatusInvalidFieldType, "%s: %v", field, err)
	}
	if s == "" {
		return "", fail(StatusRequestFieldEmpty, "%s is empty", field)
	}
	return s, nil
}
