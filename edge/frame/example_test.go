package frame_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// A sender writes a DATA frame's header and reads the payload straight
// after it, so header and payload leave as one WebSocket message and the
// payload is never copied.
func ExampleAppendV2Header() {
	client := strings.NewReader("GET / HTTP/1.1\r\n")
	buf := make([]byte, 0, frame.MaxMessage)
	buf = frame.AppendV2Header(buf, frame.V2Data, 1)
	n, _ := client.Read(buf[len(buf):cap(buf)])
	msg := buf[:frame.HeaderLen+n] // send as one binary message
	fmt.Printf("% x\n", msg[:frame.HeaderLen])
	// Output: 03 00 00 00 01
}

// A receiver skips what the protocol says to skip and closes the tunnel on
// anything malformed.
func ExampleDecodeV2() {
	for _, msg := range [][]byte{
		{0x08, 0, 0, 0, 1, 0, 2, 0, 0},
		{0x90, 0, 0, 0, 0, 0xca, 0xfe},
		{0x08, 0, 0, 0, 1, 0, 0, 0, 0},
	} {
		f, err := frame.DecodeV2(msg)
		switch {
		case errors.Is(err, frame.ErrIgnored):
			fmt.Println("skip")
		case err != nil:
			fmt.Println("close", uint16(frame.CloseProtocolError), frame.CloseProtocolError)
		default:
			fmt.Println(f.Type, "stream", f.Stream, "increment", f.Increment)
		}
	}
	// Output:
	// WINDOW_UPDATE stream 1 increment 131072
	// skip
	// close 4005 protocol error
}

// The node picks the newest version the daemon offers; a daemon that
// offers none speaks v1.
func ExampleNegotiate() {
	fmt.Println(frame.Negotiate([]string{"wardnet-tunnel.v2, wardnet-tunnel.v1"}))
	v, echo := frame.Negotiate(nil)
	fmt.Printf("%s %q\n", v, echo)
	// Output:
	// v2 wardnet-tunnel.v2
	// v1 ""
}
