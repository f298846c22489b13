package main

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// progress shows how a bulk run goes, on stderr. On a terminal it redraws
// one line (a bar, count, rate, ETA, retries, failures) a few times a
// second; otherwise it prints a plain line every interval, so logs stay
// readable.
type progress struct {
	w        io.Writer
	tty      bool
	width    int // terminal columns; 0 = 80
	interval time.Duration
	stats    *bulkStats
	now      func() time.Time

	start    time.Time
	lastDone int64     // Done at the previous sample
	lastAt   time.Time // time of the previous sample
	rate     float64   // smoothed messages per second
	buf      []byte
}

func newProgress(w io.Writer, tty bool, width int, interval time.Duration, s *bulkStats) *progress {
	if interval <= 0 {
		interval = 200 * time.Millisecond
		if !tty {
			interval = 5 * time.Second
		}
	}
	return &progress{w: w, tty: tty, width: width, interval: interval, stats: s, now: time.Now}
}

// run draws until done closes, then draws the final state (and ends the
// redrawn line with a newline).
func (p *progress) run(done <-chan struct{}) {
	p.start = p.now()
	p.lastAt = p.start
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-done:
			p.draw(true)
			return
		case <-t.C:
			p.draw(false)
		}
	}
}

// draw samples the counters and writes one line.
func (p *progress) draw(final bool) {
	now := p.now()
	done := p.stats.Done.Load()
	if dt := now.Sub(p.lastAt).Seconds(); dt > 0 {
		inst := float64(done-p.lastDone) / dt
		if p.rate == 0 || final {
			p.rate = inst
		} else {
			p.rate = 0.7*p.rate + 0.3*inst // smooth the redraws
		}
		p.lastDone, p.lastAt = done, now
	}
	if final {
		if el := now.Sub(p.start).Seconds(); el > 0 {
			p.rate = float64(done) / el // the whole run's average
		}
	}
	line := p.format(now, done, final)
	if p.tty && p.width > 1 && len(line) >= p.width {
		line = line[:p.width-1] // a line that wraps cannot be redrawn with \r
	}
	p.buf = p.buf[:0]
	if p.tty {
		p.buf = append(p.buf, '\r')
		p.buf = append(p.buf, line...)
		p.buf = append(p.buf, "\x1b[K"...) // clear the rest of the old line
		if final {
			p.buf = append(p.buf, '\n')
		}
	} else {
		p.buf = append(p.buf, line...)
		p.buf = append(p.buf, '\n')
	}
	_, _ = p.w.Write(p.buf)
}

// format renders the state: "[####....] 4210/20000 21% 1402 msg/s ETA 11s
// retries 37 failed 2" (the bar only on a terminal).
func (p *progress) format(now time.Time, done int64, final bool) string {
	s := p.stats
	total := s.Total.Load() - s.Skipped.Load()
	var b strings.Builder
	if !p.tty {
		b.WriteString("progress: ")
	}
	stats := p.counts(now, done, total, final)
	if p.tty && total > 0 {
		width := p.width
		if width <= 0 {
			width = 80
		}
		barWidth := min(max(width-len(stats)-4, 10), 40)
		filled := int(float64(barWidth) * float64(done) / float64(total))
		filled = min(max(filled, 0), barWidth)
		b.WriteByte('[')
		b.WriteString(strings.Repeat("#", filled))
		b.WriteString(strings.Repeat(".", barWidth-filled))
		b.WriteString("] ")
	}
	b.WriteString(stats)
	return b.String()
}

func (p *progress) counts(now time.Time, done, total int64, final bool) string {
	s := p.stats
	var b strings.Builder
	b.WriteString(strconv.FormatInt(done, 10))
	if total > 0 {
		b.WriteByte('/')
		b.WriteString(strconv.FormatInt(total, 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(100*done/total, 10))
		b.WriteByte('%')
	}
	b.WriteString("  ")
	b.WriteString(strconv.FormatFloat(p.rate, 'f', 0, 64))
	b.WriteString(" msg/s")
	switch {
	case final:
		b.WriteString("  in ")
		b.WriteString(roundDuration(now.Sub(p.start)).String())
	case total > 0 && p.rate > 0 && done < total:
		eta := time.Duration(float64(total-done) / p.rate * float64(time.Second))
		b.WriteString("  ETA ")
		b.WriteString(roundDuration(eta).String())
	}
	b.WriteString("  retries ")
	b.WriteString(strconv.FormatInt(s.Retries.Load(), 10))
	if t := s.Throttled.Load(); t > 0 {
		b.WriteString("  429s ")
		b.WriteString(strconv.FormatInt(t, 10))
	}
	b.WriteString("  failed ")
	b.WriteString(strconv.FormatInt(s.Failed.Load(), 10))
	if sk := s.Skipped.Load(); sk > 0 {
		b.WriteString("  skipped ")
		b.WriteString(strconv.FormatInt(sk, 10))
	}
	return b.String()
}

// roundDuration rounds d for display: whole seconds above 10s, tenths
// below.
func roundDuration(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
