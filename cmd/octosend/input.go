package main

import (
	"bufio"
	"bytes"
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
	switch firstByte(br) {
	case 0, '{', '[': // '[': a JSON array, which the JSONL reader refuses
		return formatJSONL
	}
	return formatCSV
}

// firstByte returns the first byte of br that is not a blank or part of a
// UTF-8 byte order mark, within its first 4 KiB; 0 if there is none.
func firstByte(br *bufio.Reader) byte {
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n || err != nil {
			break
		}
		switch c := b[n-1]; c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF:
			continue
		default:
			return c
		}
	}
	return 0
}

// errJSONArray refuses an input that is one JSON array rather than JSONL.
var errJSONArray = errors.New("input: a JSON array, not JSONL: want one object per line (convert it with: jq -c '.[]' FILE)")

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
	if firstByte(br) == '[' {
		return nil, errJSONArray
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

// msgNoSubAccount is the error of a line without a sub-account when
// --subaccount is not given.
const msgNoSubAccount = "no subaccount on the line and no --subaccount"

// noSubAccountError is a usage error found in the input: its first message
// names no sub-account and there is no --subaccount for it.
type noSubAccountError struct{ Line int }

func (e *noSubAccountError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ` names no subaccount and --subaccount is not given: pass --subaccount ID, or give every line a "subaccount"`
}

// maxPeek bounds how many lines requireSubAccount reads ahead.
const maxPeek = 1000

// requireSubAccount reads in up to its first message line (skipping, up
// to maxPeek, lines that fail for another reason) and returns a
// *noSubAccountError when that line names no sub-account: with no
// --subaccount, forgetting the flag is one usage error up front, not a
// failure on every line. The reader it returns yields the lines read
// ahead first.
func requireSubAccount(in inputReader) (inputReader, error) {
	r := &replayReader{in: in}
	for len(r.buf) < maxPeek {
		m, err := in.next()
		if err != nil {
			r.err = err // io.EOF or fatal: the run reports it in order
			break
		}
		r.buf = append(r.buf, m)
		var ie *inputError
		switch {
		case m.SubAccount != "":
			return r, nil
		case errors.As(m.Err, &ie) && ie.Msg == msgNoSubAccount:
			return nil, &noSubAccountError{Line: m.Line}
		}
	}
	return r, nil
}

// replayReader returns buf, then err if set, then what in has left.
type replayReader struct {
	in  inputReader
	buf []message
	err error
}

func (r *replayReader) next() (message, error) {
	if len(r.buf) > 0 {
		m := r.buf[0]
		r.buf = r.buf[1:]
		return m, nil
	}
	if r.err != nil {
		return message{}, r.err
	}
	return r.in.next()
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
			m.Err = &inputError{Line: j.line, Msg: jsonProblem(err)}
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

// jsonProblem says what is wrong with a JSONL line in the input's terms,
// never encoding/json's (Go types and struct fields mean nothing to the
// author of the file).
func jsonProblem(err error) string {
	var (
		te *json.UnmarshalTypeError
		se *json.SyntaxError
	)
	switch {
	case errors.As(err, &te):
		got := jsonKind(te.Value)
		if te.Field == "" {
			return "want a JSON object, got " + got
		}
		return te.Field + " must be a string, got " + got
	case errors.As(err, &se):
		return "bad JSON: " + se.Error()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "bad JSON: the line ends inside a value"
	}
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown key " + key + " (want destination, text, source, clientMessageId, subaccount)"
	}
	return "bad JSON"
}

// jsonKind names a JSON value kind as encoding/json reports it ("number",
// "number 1e400", "object", "bool").
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "object", "array":
		return "an " + kind
	case "bool":
		return "a boolean"
	case "number", "string":
		return "a " + kind
	}
	return "another kind of value"
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
		m.Err = &inputError{Line: m.Line, Msg: msgNoSubAccount}
	}
}
