package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws replay progress by stream sequence on one terminal line,
// at most ten times a second. A nil *progressBar draws nothing.
type progressBar struct {
	w          io.Writer
	first, end uint64
	last       time.Time
	drawn      bool
	now        func() time.Time
}

const barWidth = 30

func newProgressBar(w io.Writer, first, end uint64) *progressBar {
	return &progressBar{w: w, first: first, end: end, now: time.Now}
}

func (b *progressBar) advance(seq uint64) {
	if b == nil || b.end < b.first {
		return
	}
	if t := b.now(); t.Sub(b.last) >= 100*time.Millisecond || seq >= b.end {
		b.last = t
		b.draw(seq)
	}
}

func (b *progressBar) draw(seq uint64) {
	total := b.end - b.first + 1
	done := min(seq, b.end) - min(b.first, seq) + 1
	if seq < b.first {
		done = 0
	}
	filled := int(done * barWidth / total)
	fmt.Fprintf(b.w, "\r[%s%s] %3d%%  seq %d of %d", strings.Repeat("=", filled), strings.Repeat(" ", barWidth-filled), done*100/total, seq, b.end)
	b.drawn = true
}

// finish clears the bar's line.
func (b *progressBar) finish() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", barWidth+40))
}
