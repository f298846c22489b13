package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxJSONDepth bounds nesting in a JSON config (the real shape is ~6 deep).
const maxJSONDepth = 32

// jsonTree parses a JSON document into the same node tree the YAML parser
// builds, with line numbers, so one walker decodes both and JSON errors
// name a line too. encoding/json does the parsing (strict JSON: no
// comments, no trailing commas).
func jsonTree(data []byte) (*yaml.Node, *ConfigError) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	for i, c := range data {
		if c == '\n' {
			p.newlines = append(p.newlines, i)
		}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, terr := p.dec.Token(); terr != io.EOF {
		return nil, &ConfigError{Line: p.line(int(p.dec.InputOffset())), Msg: "invalid JSON: data after the top-level object"}
	}
	return n, nil
}

type jsonParser struct {
	data     []byte
	dec      *json.Decoder
	newlines []int // offsets of '\n'
}

// line returns the 1-based line of byte offset off.
func (p *jsonParser) line(off int) int {
	return sort.SearchInts(p.newlines, off) + 1
}

// next returns the next token and the line it starts on.
func (p *jsonParser) next() (json.Token, int, *ConfigError) {
	off := int(p.dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, 0, p.syntax(err, off)
	}
	return tok, p.line(off), nil
}

func (p *jsonParser) syntax(err error, off int) *ConfigError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
		if off > 0 {
			off-- // Offset is just past the offending byte
		}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		end := len(bytes.TrimRight(p.data, " \t\r\n")) // the last line with content
		return &ConfigError{Line: p.line(max(end-1, 0)), Msg: "invalid JSON: unexpected end of input"}
	}
	return &ConfigError{Line: p.line(off), Msg: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*yaml.Node, *ConfigError) {
	tok, line, err := p.next()
	if err != nil {
		return nil, err
	}
	return p.valueFrom(tok, line, depth)
}

func (p *jsonParser) valueFrom(tok json.Token, line, depth int) (*yaml.Node, *ConfigError) {
	if depth > maxJSONDepth {
		return nil, &ConfigError{Line: line, Msg: "invalid JSON: nested too deeply"}
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: line}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for p.dec.More() {
				kt, kline, err := p.next()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string) // the decoder guarantees a string key
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: kline}, v)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		default:
			return nil, &ConfigError{Line: line, Msg: "invalid JSON: unexpected " + t.String()}
		}
		if _, _, err := p.next(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Tag, n.Value = "!!str", t
	case json.Number:
		n.Value = string(t)
		n.Tag = "!!int"
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Tag, n.Value = "!!bool", "false"
		if t {
			n.Value = "true"
		}
	case nil:
		n.Tag, n.Value = "!!null", "null"
	}
	return n, nil
}
