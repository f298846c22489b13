package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// maxLineBytes bounds one input line (JSONL) or record (CSV). A longer line
// is reported as a failed message, never buffered without limit.
const maxLineBytes = 1 << 20

// idNamespace is the UUIDv5 namespace of the clientMessageIds that bulk
// derives for messages that have none. Changing it would make a resumed run
// use different ids than the run it resumes, so it is fixed forever.
var idNamespace = uuid.MustParse("6f1b3c2e-8a4d-5e7f-9b0c-1d2e3f4a5b6c")

// message is one input message and where it came from.
type message struct {
	// Line is the 1-based line of the input where the message starts.
	Line            int
	Destination     string
	Text            string
	Source          string
	ClientMessageID string
	SubAccount      string
	// Err, when set, is why the line is not a sendable message (bad JSON,
	// missing field, no sub-account). Such a line is written to the results
	// as failed without being sent.
	Err error
}

// inputError is a problem with one input line.
type inputError struct {
	Line int
	Msg  string
}

func (e *inputError) Error() string { return "input: line " + strconv.Itoa(e.Line) + ": " + e.Msg }

// inputFormat is the syntax of a bulk input.
type inputFormat int

const (
	formatAuto inputFormat = iota
	formatJSONL
	formatCSV
)

func parseFormat(s string) (inputFormat, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return formatAuto, nil
	case "jsonl", "ndjson", "json":
		return formatJSONL, nil
	case "csv":
		return formatCSV, nil
	}
	return 0, fmt.Errorf("unknown --format %q (want auto, jsonl or csv)", s)
}

// detectFormat picks the format of an input from its name, then from its
// first non-blank byte ('{' means JSONL).
func detectFormat(name string, br *bufio.Reader) inputFormat {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson", ".json":
		return formatJSONL
	case ".csv":
		return formatCSV
	}
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n || err != nil {
			break
		}
		switch c := b[n-1]; c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF: // blanks and a UTF-8 BOM
			continue
		case '{':
			return formatJSONL
		default:
			return formatCSV
		}
	}
	return formatJSONL
}

// inputReader streams messages from a bulk input.
type inputReader interface {
	// next returns the next message, or io.EOF after the last one. Any other
	// error is fatal for the whole input (unreadable file, CSV header
	// problem); a bad line is returned as a message with Err set.
	next() (message, error)
}

// newInputReader returns a reader of r in format f. name is the input's
// name as given (for format detection by extension); defaultSub is the
// sub-account of lines that name none.
func newInputReader(r io.Reader, name string, f inputFormat, defaultSub string) (inputReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Read the first bytes now, so that an unreadable input (a directory
	// on stdin, an I/O error) is refused before any output is created.
	if _, err := br.Peek(1); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("input: %w", err)
	}
	if f == formatAuto {
		f = detectFormat(name, br)
	}
	if f == formatCSV {
		return newCSVReader(br, defaultSub)
	}
	return &jsonlReader{r: br, sub: defaultSub}, nil
}

// idDeriver makes the deterministic clientMessageId of a message without
// one from the content read so far, never from where it was read: each
// line's id is a UUIDv5 of the previous line's id, the line number and the
// line's bytes, a chained digest of the input up to that line. The same
// content read again (the file moved, through a symlink or a relative
// path, or piped to stdin) derives the same ids, so --resume recognizes
// it; a changed line changes its id and every later one.
type idDeriver struct {
	chain uuid.UUID // the id of the last line observed; zero before the first
	buf   []byte
}

// observe folds one input line (a message, or a line that is not one)
// into the chain and returns the id it derives for that line.
func (d *idDeriver) observe(line int, content []byte) string {
	d.buf = append(d.buf[:0], d.chain[:]...)
	d.buf = strconv.AppendInt(d.buf, int64(line), 10)
	d.buf = append(d.buf, 0)
	d.buf = append(d.buf, content...)
	d.chain = uuid.NewSHA1(idNamespace, d.buf)
	return d.chain.String()
}

// jsonLine is one JSONL input object.
type jsonLine struct {
	Destination     string `json:"destination"`
	Text            string `json:"text"`
	Source          string `json:"source"`
	ClientMessageID string `json:"clientMessageId"`
	SubAccount      string `json:"subaccount"`
}

// jsonlReader reads one JSON object per line. Blank lines are not messages.
type jsonlReader struct {
	r    *bufio.Reader
	ids  idDeriver
	sub  string
	line int
	done bool
}

func (j *jsonlReader) next() (message, error) {
	for !j.done {
		raw, tooLong, err := readLine(j.r)
		if err != nil && !errors.Is(err, io.EOF) {
			return message{}, fmt.Errorf("input: %w", err)
		}
		if errors.Is(err, io.EOF) {
			j.done = true
			if len(raw) == 0 && !tooLong {
				break
			}
		}
		j.line++
		if j.line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 && !tooLong {
			continue
		}
		m := message{Line: j.line}
		derived := j.ids.observe(j.line, raw)
		if tooLong {
			m.Err = &inputError{Line: j.line, Msg: "line longer than " + strconv.Itoa(maxLineBytes) + " bytes"}
			return m, nil
		}
		var v jsonLine
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			m.Err = &inputError{Line: j.line, Msg: "bad JSON: " + err.Error()}
			return m, nil
		}
		if dec.More() {
			m.Err = &inputError{Line: j.line, Msg: "bad JSON: more than one value on the line"}
			return m, nil
		}
		m.Destination, m.Text, m.Source = v.Destination, v.Text, v.Source
		m.ClientMessageID, m.SubAccount = v.ClientMessageID, v.SubAccount
		finish(&m, derived, j.sub)
		return m, nil
	}
	return message{}, io.EOF
}

// readLine reads one line without its newline. A line over maxLineBytes is
// consumed to its end and reported as tooLong (raw then holds nothing
// useful). err is io.EOF when the input ended, possibly after a last line
// without a newline (returned in raw).
func readLine(r *bufio.Reader) (raw []byte, tooLong bool, err error) {
	var long []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong {
				long = append(long, chunk...)
				if len(long) > maxLineBytes {
					tooLong, long = true, nil
				}
			}
			continue
		}
		if !tooLong {
			if long != nil {
				raw = append(long, chunk...)
				if len(raw) > maxLineBytes+1 {
					tooLong, raw = true, nil
				}
			} else {
				raw = chunk
			}
		}
		raw = bytes.TrimSuffix(raw, []byte("\n"))
		return raw, tooLong, err
	}
}

// finish fills the sub-account and clientMessageId defaults of m (derived
// is the id the line's content derives) and checks the fields every
// message needs.
func finish(m *message, derived, defaultSub string) {
	if m.SubAccount == "" {
		m.SubAccount = defaultSub
	}
	if m.ClientMessageID == "" {
		m.ClientMessageID = derived
	}
	switch {
	case m.Destination == "":
		m.Err = &inputError{Line: m.Line, Msg: "destination is missing"}
	case m.Text == "":
		m.Err = &inputError{Line: m.Line, Msg: "text is missing"}
	case m.SubAccount == "":
		m.Err = &inputError{Line: m.Line, Msg: "no subaccount on the line and no --subaccount"}
	}
}

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
	buf []byte
}

func newCSVReader(br *bufio.Reader, defaultSub string) (*csvReader, error) {
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(&limitedLines{r: br})
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("input: csv: empty input, want a header line (destination,text,...)")
	}
	if err != nil {
		return nil, fmt.Errorf("input: csv header: %w", err)
	}
	c := &csvReader{r: r, sub: defaultSub}
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
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := pe.StartLine
			if line == 0 {
				line = pe.Line
			}
			c.ids.observe(line, nil)
			return message{Line: line, Err: &inputError{Line: line, Msg: "bad CSV: " + pe.Err.Error()}}, nil
		}
		if err != nil {
			return message{}, fmt.Errorf("input: %w", err)
		}
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
		finish(&m, c.ids.observe(line, c.buf), c.sub)
		return m, nil
	}
}

// limitedLines passes a reader through but fails a line longer than
// maxLineBytes, so encoding/csv never buffers a huge record.
type limitedLines struct {
	r   *bufio.Reader
	run int // bytes since the last newline
}

var errLineTooLong = errors.New("line longer than " + strconv.Itoa(maxLineBytes) + " bytes")

func (l *limitedLines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.run = 0
			continue
		}
		l.run++
		if l.run > maxLineBytes {
			return 0, errLineTooLong
		}
	}
	return n, err
}
