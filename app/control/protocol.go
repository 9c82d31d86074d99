package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The obs-websocket 5 protocol, as documented in
// https://github.com/obsproject/obs-websocket/blob/master/docs/generated/protocol.md
// (RPC version 1, subprotocol obswebsocket.json: JSON over text frames).

// Subprotocol is the only WebSocket subprotocol GoLive speaks.
const Subprotocol = "obswebsocket.json"

// RPCVersion is the obs-websocket RPC version GoLive implements.
const RPCVersion = 1

// OBSWebSocketVersion is the obs-websocket version GoLive's API matches.
const OBSWebSocketVersion = "5.5.0"

// OpCode is WebSocketOpCode: the kind of a message.
type OpCode int

// WebSocketOpCode values.
const (
	OpHello                OpCode = 0
	OpIdentify             OpCode = 1
	OpIdentified           OpCode = 2
	OpReidentify           OpCode = 3
	OpEvent                OpCode = 5
	OpRequest              OpCode = 6
	OpRequestResponse      OpCode = 7
	OpRequestBatch         OpCode = 8
	OpRequestBatchResponse OpCode = 9
)

// CloseCode is WebSocketCloseCode: why the server closed a connection.
type CloseCode int

// WebSocketCloseCode values.
const (
	CloseUnknownReason         CloseCode = 4000
	CloseMessageDecodeError    CloseCode = 4002
	CloseMissingDataField      CloseCode = 4003
	CloseInvalidDataFieldType  CloseCode = 4004
	CloseInvalidDataFieldValue CloseCode = 4005
	CloseUnknownOpCode         CloseCode = 4006
	CloseNotIdentified         CloseCode = 4007
	CloseAlreadyIdentified     CloseCode = 4008
	CloseAuthenticationFailed  CloseCode = 4009
	CloseUnsupportedRPCVersion CloseCode = 4010
	CloseSessionInvalidated    CloseCode = 4011
	CloseUnsupportedFeature    CloseCode = 4012
)

// Status is RequestStatus: the outcome of one request.
type Status int

// RequestStatus values GoLive answers with.
const (
	StatusSuccess               Status = 100
	StatusMissingRequestType    Status = 203
	StatusUnknownRequestType    Status = 204
	StatusGenericError          Status = 205
	StatusMissingRequestField   Status = 300
	StatusMissingRequestData    Status = 301
	StatusInvalidRequestField   Status = 400
	StatusInvalidFieldType      Status = 401
	StatusRequestFieldEmpty     Status = 403
	StatusOutputRunning         Status = 500
	StatusOutputNotRunning      Status = 501
	StatusResourceNotFound      Status = 600
	StatusInvalidResourceState  Status = 604
	StatusResourceActionFailed  Status = 701
	StatusRequestProcessingFail Status = 702
)

// Event subscription bits (EventSubscription).
const (
	SubGeneral uint32 = 1 << 0
	SubConfig  uint32 = 1 << 1
	SubOutputs uint32 = 1 << 6
	// SubAll is every category that is not high-volume (bits 0 to 9).
	SubAll uint32 = 0x3ff
)

// Limits on what a client can send: every length and count is bounded
// before anything is allocated for it.
const (
	// MaxMessageBytes bounds one WebSocket message (the read limit).
	MaxMessageBytes = 64 << 10
	// MaxBatchRequests bounds the requests of one RequestBatch.
	MaxBatchRequests = 64
	// maxIDBytes bounds a requestId, maxTypeBytes a requestType.
	maxIDBytes   = 256
	maxTypeBytes = 128
)

// protocolError closes the connection with a WebSocketCloseCode.
type protocolError struct {
	Code   CloseCode
	Reason string
}

func (e *protocolError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Reason) }

func closeWith(code CloseCode, format string, args ...any) *protocolError {
	return &protocolError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// message is a decoded base object {"op": number, "d": object}.
type message struct {
	Op OpCode
	// D holds the first-level fields of "d", still encoded.
	D map[string]json.RawMessage
}

// decodeMessage parses one text frame. Its errors are protocolErrors
// naming the close code the protocol asks for. It never panics, on any
// input (FuzzDecodeMessage).
func decodeMessage(data []byte) (message, error) {
	if len(data) > MaxMessageBytes {
		return message{}, closeWith(CloseMessageDecodeError, "message of %d bytes: at most %d", len(data), MaxMessageBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return message{}, closeWith(CloseMessageDecodeError, "not a JSON object")
	}
	if _, ok := top["request-type"]; ok {
		return message{}, closeWith(CloseUnsupportedRPCVersion, "obs-websocket 4 request: this server speaks RPC version %d", RPCVersion)
	}
	rawOp, ok := top["op"]
	if !ok {
		return message{}, closeWith(CloseUnknownOpCode, "missing op")
	}
	op, err := intField(rawOp)
	if err != nil {
		return message{}, closeWith(CloseUnknownOpCode, "op: %v", err)
	}
	rawD, ok := top["d"]
	if !ok {
		return message{}, closeWith(CloseMissingDataField, "missing d")
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(rawD, &d); err != nil || d == nil {
		return message{}, closeWith(CloseInvalidDataFieldType, "d is not an object")
	}
	return message{Op: OpCode(op), D: d}, nil
}

var errNotInteger = errors.New("not an integer")

// intField decodes a JSON number that must be a 32-bit integer.
func intField(raw json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, errors.New("not a number")
	}
	if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxUint32 {
		return 0, errNotInteger
	}
	return int64(f), nil
}

// stringField decodes a JSON string of at most maxLen bytes.
func stringField(raw json.RawMessage, maxLen int) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a string")
	}
	if len(s) > maxLen {
		return "", fmt.Errorf("longer than %d bytes", maxLen)
	}
	return s, nil
}

// isNull reports a missing or null field.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// outMessage is a message the server sends.
type outMessage struct {
	Op OpCode `json:"op"`
	D  any    `json:"d"`
}

// hello is Hello's data.
type hello struct {
	OBSWebSocketVersion string     `json:"obsWebSocketVersion"`
	RPCVersion          int        `json:"rpcVersion"`
	Authentication      *challenge `json:"authentication,omitempty"`
}

type challenge struct {
	Challenge string `json:"challenge"`
	Salt      string `json:"salt"`
}

type identified struct {
	NegotiatedRPCVersion int `json:"negotiatedRpcVersion"`
}

// requestStatus is the requestStatus object of a response.
type requestStatus struct {
	Result  bool   `json:"result"`
	Code    Status `json:"code"`
	Comment string `json:"comment,omitempty"`
}

// response is RequestResponse's data, and one result of a batch.
type response struct {
	RequestType   string         `json:"requestType"`
	RequestID     string         `json:"requestId,omitempty"`
	RequestStatus requestStatus  `json:"requestStatus"`
	ResponseData  map[string]any `json:"responseData,omitempty"`
}

type batchResponse struct {
	RequestID string     `json:"requestId"`
	Results   []response `json:"results"`
}

// eventMessage is Event's data.
type eventMessage struct {
	EventType   string         `json:"eventType"`
	EventIntent uint32         `json:"eventIntent"`
	EventData   map[string]any `json:"eventData,omitempty"`
}
