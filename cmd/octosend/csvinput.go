package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvColumns are the columns a CSV input may have, by lowercased header name.
var csvColumns = map[string]int{
	"destination": colDestination, "text": colText, "source": colSource,
	"clientmessageid": colClientMessageID, "subaccount": colSubAccount,
}

const (
	colDestination = iota
	colText
	colSource
	colClientMessageID
	colSubAccount
	numColumns
)

// csvReader reads a CSV input whose first record is a header naming the
// columns (destination and text required; source, clientMessageId and
// subaccount optional; any order, case-insensitive).
type csvReader struct {
	r   *csv.Reader
	ids idDeriver
	sub string
	col [numColumns]int // index of each column in a record, -1 if absent
	n   int             // columns in the header
	lim *limitedLines
	buf []byte
}

func newCSVReader(br *bufio.Reader, defaultSub string) (*csvReader, error) {
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	lim := &limitedLines{r: br}
	r := csv.NewReader(lim)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("input: csv: empty input, want a header line (destination,text,...)")
	}
	var tooLong *csvTooLongError
	if errors.As(err, &tooLong) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("input: csv header: %w", err)
	}
	c := &csvReader{r: r, sub: defaultSub, n: len(header), lim: lim}
	c.recordDone(header)
	for i := range c.col {
		c.col[i] = -1
	}
	for i, name := range header {
		k, ok := csvColumns[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return nil, fmt.Errorf("input: csv header: line 1: unknown column %q (want destination, text, source, clientMessageId, subaccount)", name)
		}
		if c.col[k] >= 0 {
			return nil, fmt.Errorf("input: csv header: line 1: column %q appears twice", name)
		}
		c.col[k] = i
	}
	if c.col[colDestination] < 0 || c.col[colText] < 0 {
		return nil, errors.New("input: csv header: line 1: want at least the columns destination and text")
	}
	return c, nil
}

func (c *csvReader) next() (message, error) {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return message{}, io.EOF
		}
		var (
			pe      *csv.ParseError
			tooLong *csvTooLongError
		)
		if errors.As(err, &pe) {
			line := pe.StartLine
			if line == 0 {
				line = pe.Line
			}
			c.lim.recStart, c.lim.recLine = c.r.InputOffset(), pe.Line+1
			c.ids.observe(line, nil)
			return message{Line: line, Err: &inputError{Line: line, Msg: "bad CSV: " + pe.Err.Error()}}, nil
		}
		if errors.As(err, &tooLong) {
			return message{}, err
		}
		if err != nil {
			return message{}, fmt.Errorf("input: %w", err)
		}
		c.recordDone(rec)
		line, _ := c.r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		m := message{Line: line}
		field := func(k int) string {
			if i := c.col[k]; i >= 0 && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		m.Destination, m.Text, m.Source = field(colDestination), field(colText), field(colSource)
		m.ClientMessageID, m.SubAccount = field(colClientMessageID), field(colSubAccount)
		c.buf = c.buf[:0]
		for i, f := range rec {
			if i > 0 {
				c.buf = append(c.buf, 0x1f)
			}
			c.buf = append(c.buf, f...)
		}
		derived := c.ids.observe(line, c.buf)
		if len(rec) > c.n {
			m.Err = &inputError{Line: line, Msg: strconv.Itoa(len(rec)) + " fields, but the header names " + strconv.Itoa(c.n) + " columns"}
			return m, nil
		}
		finish(&m, derived, c.sub)
		return m, nil
	}
}

// recordDone tells the line limiter where the record after rec starts.
func (c *csvReader) recordDone(rec []string) {
	last := len(rec) - 1
	line, _ := c.r.FieldPos(last)
	c.lim.recStart = c.r.InputOffset()
	c.lim.recLine = line + strings.Count(rec[last], "\n") + 1
}

// limitedLines passes a reader through but fails a line longer than
// maxLineBytes, and a record (quoted fields span lines) longer than that
// plus what encoding/csv reads ahead, so a huge record (or a quote left
// open) is never buffered whole. The error names the line.
type limitedLines struct {
	r        *bufio.Reader
	run      int   // bytes since the last newline
	line     int   // the line being read, 1-based
	pos      int64 // bytes passed through
	recStart int64 // offset where the record being read starts (set by csvReader)
	recLine  int   // the line it starts on
	err      error // sticky
}

// csvReadAhead bounds how far encoding/csv reads past the record it
// returns (its bufio.Reader's default size, with room to spare).
const csvReadAhead = 8 << 10

// csvTooLongError is a CSV line or record over the limit; fatal for the
// input, since the CSV reader cannot resynchronize after it.
type csvTooLongError struct {
	Line   int
	Record bool // a multi-line record (quoted fields) rather than one line
}

func (e *csvTooLongError) Error() string {
	if e.Record {
		return "input: csv: the record that starts on line " + strconv.Itoa(e.Line) + " is longer than " + strconv.Itoa(maxLineBytes) + " bytes (a quote left open?)"
	}
	return "input: line " + strconv.Itoa(e.Line) + ": longer than " + strconv.Itoa(maxLineBytes) + " bytes (a CSV record must fit in 1 MiB)"
}

func (l *limitedLines) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.line == 0 {
		l.line, l.recLine = 1, 1
	}
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		l.pos++
		if b == '\n' {
			l.run = 0
			l.line++
			continue
		}
		l.run++
		if l.run > maxLineBytes {
			l.err = &csvTooLongError{Line: l.line}
			return 0, l.err
		}
		if l.pos-l.recStart > maxLineBytes+csvReadAhead {
			l.err = &csvTooLongError{Line: l.recLine, Record: true}
			return 0, l.err
		}
	}
	return n, err
}
