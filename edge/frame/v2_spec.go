package frame

import (
	"errors"
	"fmt"
	"strings"
)

// v2Spec is what the codec knows of one v2 type.
type v2Spec struct {
	name   string
	conn   bool  // a connection frame: stream 0; otherwise a nonzero stream
	fields field // the fields of V2Frame the type carries besides Type and Stream
	encode func(dst []byte, f V2Frame) ([]byte, error)
}

var v2Specs = [...]v2Spec{
	V2Open:         {name: "OPEN", fields: fieldDestPort | fieldClient, encode: encodeOpen},
	V2OpenOK:       {name: "OPEN_OK", encode: encodeEmpty},
	V2Data:         {name: "DATA", fields: fieldPayload, encode: encodePayload},
	V2Close:        {name: "CLOSE", encode: encodeEmpty},
	V2Ping:         {name: "PING", conn: true, fields: fieldOpaque, encode: encodeOpaque},
	V2Pong:         {name: "PONG", conn: true, fields: fieldOpaque, encode: encodeOpaque},
	V2OpenRefused:  {name: "OPEN_REFUSED", fields: fieldRefuse, encode: encodeRefused},
	V2WindowUpdate: {name: "WINDOW_UPDATE", fields: fieldIncrement, encode: encodeWindowUpdate},
	V2Reset:        {name: "RESET", fields: fieldReset, encode: encodeReset},
	V2GoAway:       {name: "GOAWAY", conn: true, fields: fieldGoAway | fieldLastStream | fieldHint, encode: encodeGoAway},
	V2FlowOpen:     {name: "FLOW_OPEN", fields: fieldDestPort | fieldClient, encode: encodeOpen},
	V2Datagram:     {name: "DATAGRAM", fields: fieldPayload, encode: encodePayload},
}

var (
	errStreamZero    = errors.New("stream 0")
	errStreamNonzero = errors.New("a nonzero stream on a connection frame")
)

func (s *v2Spec) checkStream(id StreamID) error {
	switch {
	case s.conn && id != 0:
		return fmt.Errorf("stream %d: %w", id, errStreamNonzero)
	case !s.conn && id == 0:
		return errStreamZero
	}
	return nil
}

// field is a set of V2Frame's optional fields.
type field uint16

const (
	fieldDestPort field = 1 << iota
	fieldClient
	fieldRefuse
	fieldReset
	fieldIncrement
	fieldOpaque
	fieldGoAway
	fieldLastStream
	fieldHint
	fieldPayload
)

var fieldNames = [...]string{"DestPort", "Client", "Refuse", "Reset", "Increment", "Opaque", "GoAway", "LastStream", "Hint", "Payload"}

func (s field) String() string {
	var names []string
	for i, n := range fieldNames {
		if s&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// carried is the set of f's optional fields that are not zero.
func (f *V2Frame) carried() field {
	var s field
	for _, c := range []struct {
		set bool
		f   field
	}{
		{f.DestPort != 0, fieldDestPort},
		{f.Client.Addr().IsValid() || f.Client.Port() != 0, fieldClient},
		{f.Refuse != 0, fieldRefuse},
		{f.Reset != 0, fieldReset},
		{f.Increment != 0, fieldIncrement},
		{f.Opaque != [8]byte{}, fieldOpaque},
		{f.GoAway != 0, fieldGoAway},
		{f.LastStream != 0, fieldLastStream},
		{f.Hint != "", fieldHint},
		{len(f.Payload) != 0, fieldPayload},
	} {
		if c.set {
			s |= c.f
		}
	}
	return s
}
