package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressFormat(t *testing.T) {
	t0 := time.Unix(1000, 0)
	newP := func(tty bool, total int64) (*progress, *bulkStats, *bytes.Buffer, *time.Time) {
		s := &bulkStats{}
		s.Total.Store(total)
		var buf bytes.Buffer
		now := t0
		p := newProgress(&buf, tty, 100, time.Second, s)
		p.now = func() time.Time { return now }
		p.start, p.lastAt = t0, t0
		return p, s, &buf, &now
	}

	t.Run("terminal bar", func(t *testing.T) {
		p, s, buf, now := newP(true, 1000)
		s.Done.Store(250)
		s.Retries.Store(7)
		s.Failed.Store(2)
		s.Throttled.Store(3)
		*now = t0.Add(time.Second)
		p.draw(false)
		got := buf.String()
		for _, want := range []string{"\r[", "#", ".", "] 250/1000 25%", "250 msg/s", "ETA 3s", "retries 7", "429s 3", "failed 2", "\x1b[K"} {
			if !strings.Contains(got, want) {
				t.Errorf("bar %q lacks %q", got, want)
			}
		}
		if strings.Contains(got, "\n") {
			t.Errorf("a redraw must not end the line: %q", got)
		}
		if len(got) > 100+8 { // the escape codes and \r are not columns
			t.Errorf("bar is %d bytes for a 100-column terminal: %q", len(got), got)
		}
		buf.Reset()
		s.Done.Store(1000)
		*now = t0.Add(4 * time.Second)
		p.draw(true)
		got = buf.String()
		if !strings.HasSuffix(got, "\n") || !strings.Contains(got, "in 4s") || strings.Contains(got, "ETA") {
			t.Errorf("final bar = %q, want the elapsed time and a newline, no ETA", got)
		}
		if !strings.Contains(got, "250 msg/s") {
			t.Errorf("final rate should be the whole run's average: %q", got)
		}
	})

	t.Run("narrow terminal", func(t *testing.T) {
		p, s, buf, now := newP(true, 1000)
		p.width = 30
		s.Done.Store(10)
		*now = t0.Add(time.Second)
		p.draw(false)
		line := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "\r"), "\x1b[K")
		if len(line) != 29 {
			t.Errorf("line on a 30-column terminal is %d columns: %q", len(line), line)
		}
	})

	t.Run("plain lines", func(t *testing.T) {
		p, s, buf, now := newP(false, 0) // stdin: total unknown
		s.Done.Store(40)
		*now = t0.Add(2 * time.Second)
		p.draw(false)
		got := buf.String()
		if got != "progress: 40  20 msg/s  retries 0  failed 0\n" {
			t.Errorf("plain line = %q", got)
		}
	})

	t.Run("resumed run counts only what is left", func(t *testing.T) {
		p, s, buf, now := newP(false, 100)
		s.Skipped.Store(60)
		s.Done.Store(10)
		*now = t0.Add(time.Second)
		p.draw(false)
		if got := buf.String(); !strings.Contains(got, "10/40 25%") || !strings.Contains(got, "skipped 60") {
			t.Errorf("resumed progress = %q", got)
		}
	})
}

func TestProgressRunStopsAndDrawsFinal(t *testing.T) {
	var buf bytes.Buffer
	s := &bulkStats{}
	p := newProgress(&buf, false, 0, time.Millisecond, s)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() { p.run(done); close(exited) }()
	time.Sleep(10 * time.Millisecond)
	s.Done.Store(5)
	close(done)
	<-exited
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-1], "progress: 5 ") {
		t.Errorf("progress output = %q, want periodic lines then a final one with 5 done", buf.String())
	}
}
