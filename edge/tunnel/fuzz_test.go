package tunnel

import (
	"bufio"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// goldenMessages are edge/frame's golden examples of a version.
func goldenMessages(f *testing.F, file string) [][]byte {
	fh, err := os.Open("../frame/testdata/" + file)
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	var out [][]byte
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		b, err := hex.DecodeString(fields[1])
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzSessionReceive feeds sequences of messages (a 0xff byte splits
// them) to both ends of a v2 session and to a v1 node, after some streams
// and flows are open. Nothing may panic; a message either is taken or
// ends the session with an error that says why (malformed, a broken rule,
// a peer over a limit), and the session's tables stay consistent.
func FuzzSessionReceive(f *testing.F) {
	for _, b := range goldenMessages(f, "golden_v2.txt") {
		f.Add(b)
	}
	for _, b := range goldenMessages(f, "golden_v1.txt") {
		f.Add(b)
	}
	f.Add([]byte{0x02, 0, 0, 0, 1, 0xff, 0x03, 0, 0, 0, 1, 'h', 'i', 0xff, 0x04, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, input []byte) {
		msgs := strings.Split(string(input), "\xff")
		for _, s := range []*Session{fuzzNode(t), NewDaemon(nil, Options{})} {
			feedV2(t, s, msgs)
		}
		v1 := NewV1Node(nil, V1Options{})
		for _, m := range msgs {
			if err := v1.receive([]byte(m)); err != nil {
				if !errors.Is(err, frame.ErrMalformed) && !errors.Is(err, errPolicy) {
					t.Fatalf("v1 message %x: an error of no known kind: %v", m, err)
				}
				break
			}
		}
	})
}

// fuzzNode is a node session (never run) with stream 1 and flow 3 open.
func fuzzNode(t *testing.T) *Session {
	s := NewNode(nil, Options{OpenTimeout: -1})
	if _, err := s.open(443, client); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenFlow(51820, client); err != nil {
		t.Fatal(err)
	}
	return s
}

func feedV2(t *testing.T, s *Session, msgs []string) {
	for _, m := range msgs {
		if err := s.receive([]byte(m)); err != nil {
			if !errors.Is(err, frame.ErrMalformed) && !errors.Is(err, ErrProtocol) && !errors.Is(err, errPolicy) {
				t.Fatalf("message %x: an error of no known kind: %v", m, err)
			}
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := 0
	for id, st := range s.streams {
		if st.ended || st.id != id {
			t.Fatalf("stream %d in the table is ended or misfiled", id)
		}
		if !st.opened {
			pending++
		}
	}
	if pending != s.pending {
		t.Fatalf("%d streams unanswered, the count says %d", pending, s.pending)
	}
}
