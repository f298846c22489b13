package main

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// readAll reads every message of input (format f, default sub-account
// "dflt").
func readAll(t *testing.T, input string, name string, f inputFormat) ([]message, error) {
	t.Helper()
	in, err := newInputReader(strings.NewReader(input), name, f, "dflt")
	if err != nil {
		return nil, err
	}
	var out []message
	for {
		m, err := in.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// brief renders a message for comparison (derived ids shortened to "*").
func brief(m message) string {
	if m.Err != nil {
		return "L" + strconv.Itoa(m.Line) + " err: " + m.Err.Error()
	}
	id := m.ClientMessageID
	if len(id) == 36 && strings.Count(id, "-") == 4 {
		id = "*"
	}
	return "L" + strconv.Itoa(m.Line) + " " + m.SubAccount + " " + m.Destination + " " + m.Text + " src=" + m.Source + " id=" + id
}

func TestJSONLReader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "fields and defaults",
			input: `{"destination":"+6591234567","text":"hi","source":"Acme","clientMessageId":"c1","subaccount":"sub-a"}` + "\n" + `{"destination":"6591234568","text":"yo"}` + "\n",
			want:  []string{"L1 sub-a +6591234567 hi src=Acme id=c1", "L2 dflt 6591234568 yo src= id=*"},
		},
		{
			name:  "blank lines are not messages but count as lines",
			input: "\n  \n" + `{"destination":"+6591234567","text":"a"}` + "\r\n\n" + `{"destination":"+6591234568","text":"b"}`,
			want:  []string{"L3 dflt +6591234567 a src= id=*", "L5 dflt +6591234568 b src= id=*"},
		},
		{
			name: "bad lines become failed messages",
			input: "{not json}\n" + `{"destination":"+6591234567"}` + "\n" + `{"text":"x"}` + "\n" + `{"destination":"+1","text":"x","destinaton":"typo"}` + "\n" + `{"destination":"+6591234567","text":"x"} {}` + "\n" +
				`{"destination":"+1"} [1]` + "\n" + `{"destination":6591234567,"text":"x"}` + "\n" + `{"destination":"+1","text":{"a":1}}` + "\n" + `"just a string"` + "\n" +
				`{"destination":"+1","text":"x","subaccount":null}` + "\n" + `{"destination":"+1","text":"x","source":true}` + "\n",
			want: []string{
				"L1 err: input: line 1: bad JSON: invalid character 'n' looking for beginning of object key string",
				"L2 err: input: line 2: text is missing",
				"L3 err: input: line 3: destination is missing",
				`L4 err: input: line 4: unknown key "destinaton" (want destination, text, source, clientMessageId, subaccount)`,
				"L5 err: input: line 5: bad JSON: more than one value on the line",
				"L6 err: input: line 6: bad JSON: more than one value on the line",
				"L7 err: input: line 7: destination must be a string, got a number",
				"L8 err: input: line 8: text must be a string, got an object",
				"L9 err: input: line 9: want a JSON object, got a string",
				"L10 dflt +1 x src= id=*",
				"L11 err: input: line 11: source must be a string, got a boolean",
			},
		},
		{
			name:  "byte order mark",
			input: "\xEF\xBB\xBF" + `{"destination":"+6591234567","text":"a"}`,
			want:  []string{"L1 dflt +6591234567 a src= id=*"},
		},
		{name: "empty", input: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := readAll(t, tt.input, "in.jsonl", formatAuto)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, brief(m))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestJSONLLineTooLong(t *testing.T) {
	long := `{"destination":"+6591234567","text":"` + strings.Repeat("x", maxLineBytes+10) + `"}`
	input := long + "\n" + `{"destination":"+6591234567","text":"after"}` + "\n" + long
	msgs, err := readAll(t, input, "in.jsonl", formatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	for _, i := range []int{0, 2} {
		if msgs[i].Err == nil || !strings.Contains(msgs[i].Err.Error(), "longer than") {
			t.Errorf("message %d: err = %v, want line too long", i, msgs[i].Err)
		}
	}
	if msgs[1].Err != nil || msgs[1].Text != "after" || msgs[1].Line != 2 {
		t.Errorf("message after the long line = %+v", msgs[1])
	}
}

func TestDerivedIDs(t *testing.T) {
	line := `{"destination":"+6591234567","text":"a"}`
	read := func(input, name string) []message {
		in, err := newInputReader(strings.NewReader(input), name, formatAuto, "s1")
		if err != nil {
			t.Fatal(err)
		}
		var out []message
		for {
			m, err := in.next()
			if err != nil {
				return out
			}
			out = append(out, m)
		}
	}
	a := read(line+"\n"+line+"\n"+line+"\n", "/data/a.jsonl")
	again := read(line+"\n"+line+"\n"+line+"\n", "/data/a.jsonl")
	// The same content under another name, or from stdin, is the same
	// input: --resume must recognize it.
	moved := read(line+"\n"+line+"\n"+line+"\n", "../elsewhere/b.jsonl")
	stdin := read(line+"\n"+line+"\n"+line+"\n", "-")
	// A change on line 1 changes the ids of every later line too.
	changed := read(`{"destination":"+6591234567","text":"b"}`+"\n"+line+"\n"+line+"\n", "/data/a.jsonl")
	for i := range a {
		if a[i].ClientMessageID != again[i].ClientMessageID {
			t.Errorf("line %d: ids not deterministic: %s vs %s", i+1, a[i].ClientMessageID, again[i].ClientMessageID)
		}
		if a[i].ClientMessageID != moved[i].ClientMessageID || a[i].ClientMessageID != stdin[i].ClientMessageID {
			t.Errorf("line %d: the same content read from another path or stdin got another id: %s, %s, %s",
				i+1, a[i].ClientMessageID, moved[i].ClientMessageID, stdin[i].ClientMessageID)
		}
		if a[i].ClientMessageID == changed[i].ClientMessageID {
			t.Errorf("line %d: id %s unchanged though line 1 changed", i+1, a[i].ClientMessageID)
		}
	}
	if a[0].ClientMessageID == a[1].ClientMessageID || a[1].ClientMessageID == a[2].ClientMessageID {
		t.Errorf("same content on two lines got the same id: %s %s %s", a[0].ClientMessageID, a[1].ClientMessageID, a[2].ClientMessageID)
	}
	// CSV ids follow the content the same way.
	csvIn := "destination,text\n+6591234567,a\n+6591234568,b\n"
	x, y := read(csvIn, "in.csv"), read(csvIn, "other.csv")
	if len(x) != 2 || len(y) != 2 || x[1].ClientMessageID != y[1].ClientMessageID {
		t.Errorf("csv: the same content under two names got %+v and %+v", x, y)
	}
}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []string
		wantErr string
	}{
		{
			name:  "header in any order and case",
			input: "Text,DESTINATION,clientMessageId,subaccount,source\nhello,+6591234567,c1,sub-a,Acme\n\"multi\nline, quoted\",+6591234568,,,\nbye,6591234569,c3,,\n",
			want: []string{
				"L2 sub-a +6591234567 hello src=Acme id=c1",
				"L3 dflt +6591234568 multi\nline, quoted src= id=*",
				"L5 dflt 6591234569 bye src= id=c3",
			},
		},
		{
			name:  "short records and blank lines",
			input: "destination,text,source\n\n+6591234567,only\n+6591234568\n",
			want: []string{
				"L3 dflt +6591234567 only src= id=*",
				"L4 err: input: line 4: text is missing",
			},
		},
		{
			name:  "a record with more fields than the header fails its line",
			input: "destination,text\n+6591234567,a,extra\n+6591234568,ok\n+6591234569,\"x\ny\",z\n",
			want: []string{
				"L2 err: input: line 2: 3 fields, but the header names 2 columns",
				"L3 dflt +6591234568 ok src= id=*",
				"L4 err: input: line 4: 3 fields, but the header names 2 columns",
			},
		},
		{
			name:  "a bad quote fails its line only",
			input: "destination,text\n+6591234567,a\"b\n+6591234568,ok\n",
			want: []string{
				`L2 err: input: line 2: bad CSV: bare " in non-quoted-field`,
				"L3 dflt +6591234568 ok src= id=*",
			},
		},
		{name: "unknown column", input: "destination,text,name\n", wantErr: `unknown column "name"`},
		{name: "missing column", input: "destination,source\n", wantErr: "want at least the columns destination and text"},
		{name: "duplicate column", input: "destination,text,Text\n", wantErr: "appears twice"},
		{name: "empty", input: "", wantErr: "empty input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := readAll(t, tt.input, "in.csv", formatAuto)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, brief(m))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, input string
		want        string // first message's text, which only the right format reads
	}{
		{"x.csv", "destination,text\n+6591234567,csv\n", "csv"},
		{"x.jsonl", `{"destination":"+6591234567","text":"json"}`, "json"},
		{"-", "\n\n  " + `{"destination":"+6591234567","text":"sniffed"}`, "sniffed"},
		{"-", "\xEF\xBB\xBFdestination,text\n+6591234567,sniffed-csv\n", "sniffed-csv"},
		{"data.txt", "text,destination\nplain,+6591234567\n", "plain"},
	}
	for _, tt := range tests {
		msgs, err := readAll(t, tt.input, tt.name, formatAuto)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(msgs) != 1 || msgs[0].Text != tt.want {
			t.Errorf("%s %q: got %+v, want one message with text %q", tt.name, tt.input, msgs, tt.want)
		}
	}
}

// FuzzInput feeds arbitrary bytes to both readers: they must never panic,
// must report strictly increasing line numbers, and every message must
// either carry an error or have a destination, text, sub-account and id.
func FuzzInput(f *testing.F) {
	f.Add([]byte(`{"destination":"+6591234567","text":"a"}` + "\n\n{bad\n"))
	f.Add([]byte("destination,text\n+6591234567,\"x\ny\"\n,,\n"))
	f.Add([]byte("text,destination,subaccount\na\"b,1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []inputFormat{formatJSONL, formatCSV} {
			in, err := newInputReader(strings.NewReader(string(data)), "fuzz", format, "")
			if err != nil {
				continue
			}
			last := 0
			for i := 0; ; i++ {
				m, err := in.next()
				if err != nil {
					break
				}
				if m.Line <= last {
					t.Fatalf("format %d: line %d after line %d", format, m.Line, last)
				}
				last = m.Line
				if m.Err == nil && (m.Destination == "" || m.Text == "" || m.SubAccount == "" || m.ClientMessageID == "") {
					t.Fatalf("format %d: message without error misses a field: %+v", format, m)
				}
				if i > len(data)+1 {
					t.Fatalf("format %d: more messages than bytes", format)
				}
			}
		}
	})
}

// TestInputErrorsSayNoGo: no message about an input line names a Go type,
// a struct field or the json package.
func TestInputErrorsSayNoGo(t *testing.T) {
	lines := []string{`{"destination":1,"text":"x"}`, `[1,2]`, `{"text":[1]}`, `{"destination":"+1","text":"x","x":1}`, `{"destination":"+1","text":"x","clientMessageId":7}`, `1`, `null`, `true`, `{"destination":{"a":1},"text":"x"}`}
	msgs, err := readAll(t, strings.Join(lines, "\n"), "in.jsonl", formatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Err == nil {
			t.Errorf("line %d accepted: %+v", m.Line, m)
			continue
		}
		for _, leak := range []string{"Go ", "main.", "struct", "jsonLine", "json:", "unmarshal"} {
			if strings.Contains(m.Err.Error(), leak) {
				t.Errorf("line %d: %q leaks %q", m.Line, m.Err, leak)
			}
		}
	}
}

// TestJSONArrayInput: a JSON array is refused as a whole (exit 2), by its
// content, whatever the file is called.
func TestJSONArrayInput(t *testing.T) {
	array := `[{"destination":"+6591234567","text":"a"},` + "\n" + `{"destination":"+6591234568","text":"b"}]` + "\n"
	for _, tc := range []struct {
		name, input string
		f           inputFormat
	}{
		{"in.jsonl", array, formatAuto},
		{"in.json", array, formatAuto},
		{"data.txt", "\xEF\xBB\xBF  \n" + array, formatAuto},
		{"-", array, formatAuto},
		{"in.csv", array, formatJSONL},
	} {
		_, err := readAll(t, tc.input, tc.name, tc.f)
		if err == nil || !strings.Contains(err.Error(), "a JSON array") || !strings.Contains(err.Error(), "one object per line") {
			t.Errorf("%s (format %d): err = %v, want the input refused as a JSON array", tc.name, tc.f, err)
		}
	}
}

func TestCSVRecordTooLong(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes+10)
	for _, tc := range []struct {
		name, input, want string
	}{
		{"one long line", "destination,text\n+6591234567,ok\n+6591234568," + long + "\n+6591234569,after\n", "line 3: "},
		{"a quoted field left open", "destination,text\n+6591234567,ok\n+6591234568,\"open\n" + strings.Repeat(strings.Repeat("y", 1000)+"\n", 1200), "starts on line 3"},
	} {
		_, err := readAll(t, tc.input, "in.csv", formatAuto)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "longer than") {
			t.Errorf("%s: err = %v, want one naming %q", tc.name, err, tc.want)
		}
	}
}
