package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the config file at path (YAML or JSON), validates it and
// builds its Policy. Errors are *ConfigError values naming path, line and
// key, or the error of opening or reading the file (wrapped).
func Load(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("policy: read %s: %w", path, err)
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	p, err := New(cfg)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = path
		}
		return nil, err
	}
	return p, nil
}

// Parse decodes and validates a config file's contents. name is used in
// errors and picks the format: a ".json" name is read as JSON, anything
// else as YAML (contents starting with '{' are tried as JSON first, so
// that JSON errors name their line precisely). Both decode into the same
// Config, strictly: unknown keys, duplicate keys, wrong types, explicit
// zeros where zero means "default", and values out of range are errors.
// Durations are strings with a unit ("250ms"); codes are numbers or
// envelope names ("InvalidMSISDN"); a rule's status is a number or a
// class ("5xx").
//
// The error is a *ConfigError naming name, the line and the key. Data
// over MaxConfigSize is refused (the error wraps ErrTooLarge). Parse
// never panics.
func Parse(name string, data []byte) (cfg Config, err error) {
	if len(data) > MaxConfigSize {
		return Config{}, &ConfigError{File: name, Msg: "file over the 1 MiB limit (MaxConfigSize)", Err: ErrTooLarge}
	}
	defer func() {
		// The YAML parser is third-party code fed untrusted bytes: make a
		// panic in it an error, as the doc promises.
		if r := recover(); r != nil {
			cfg, err = Config{}, &ConfigError{File: name, Msg: fmt.Sprintf("cannot parse: %v", r), Err: errPanic}
		}
	}()
	root, cerr := parseTree(name, data)
	if cerr != nil {
		cerr.File = name
		return Config{}, cerr
	}
	d := &decoder{lines: map[string]int{}}
	if root != nil {
		if cerr := d.config(root, &cfg); cerr != nil {
			cerr.File = name
			return Config{}, cerr
		}
	}
	if cerr := validate(&cfg); cerr != nil {
		cerr.File = name
		cerr.Line = d.lineOf(cerr.Key)
		return Config{}, cerr
	}
	return cfg, nil
}

// errPanic marks a ConfigError made from a recovered panic, so the fuzz
// target can tell a handled error from a bug.
var errPanic = errors.New("policy: parser panicked")

// parseTree returns the document's root node (nil for an empty document).
// A ".json" name is parsed as JSON. Other names are parsed as JSON when
// the contents start with '{', falling back to YAML (a flow mapping is
// valid YAML but not always valid JSON) and reporting the JSON error if
// YAML fails too; anything else is YAML.
func parseTree(name string, data []byte) (*yaml.Node, *ConfigError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return jsonTree(data)
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		n, jerr := jsonTree(data)
		if jerr == nil {
			return n, nil
		}
		if n, yerr := yamlTree(data); yerr == nil {
			return n, nil
		}
		return nil, jerr
	}
	return yamlTree(data)
}

func yamlTree(data []byte) (*yaml.Node, *ConfigError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, yamlError(err)
		}
		return nil, &ConfigError{Line: extra.Line, Msg: "more than one YAML document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	if err := checkAliases(doc.Content[0]); err != nil {
		return nil, err
	}
	return doc.Content[0], nil
}

// yamlError turns the YAML parser's "yaml: line N: msg" into a
// *ConfigError with the line split out.
func yamlError(err error) *ConfigError {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return &ConfigError{Line: n, Msg: "invalid YAML: " + strings.TrimSpace(rest[i+1:])}
			}
		}
	}
	return &ConfigError{Msg: "invalid YAML: " + msg}
}

// decoder walks the node tree into a Config, recording the line of every
// key path so validation errors can name it.
type decoder struct {
	lines map[string]int
	col   collector // Check: problems kept so decoding goes on (see check.go)
}

// lineOf returns the line of key, or of its nearest recorded parent.
func (d *decoder) lineOf(key string) int {
	for key != "" {
		if l, ok := d.lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

func errAt(n *yaml.Node, key, msg string) *ConfigError {
	return &ConfigError{Line: n.Line, Key: key, Msg: msg}
}

// resolve follows aliases and refuses a value with a tag outside YAML's
// core schema (checkTag); every value the decoder reads comes through it.
// What aliases may expand to was bounded before decoding (checkAliases),
// so the walk visits at most the file's values plus MaxAliasValues.
func (d *decoder) resolve(n *yaml.Node, key string) (*yaml.Node, *ConfigError) {
	for depth := 0; n.Kind == yaml.AliasNode; depth++ {
		if n.Alias == nil || depth > 100 {
			return nil, errAt(n, key, "bad alias")
		}
		n = n.Alias
	}
	if err := checkTag(n, key); err != nil {
		return nil, err
	}
	return n, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// mapping calls f for each key of n, a mapping, rejecting keys not in
// known, duplicate keys and non-string keys. path is n's key path.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, f func(key, path string, v *yaml.Node) *ConfigError) *ConfigError {
	n, err := d.resolve(n, path)
	if err != nil {
		return err
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(n, path, "want a mapping of keys, got "+describe(n))
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		kn, err := d.resolve(kn, path)
		if err != nil {
			return err
		}
		if kn.Kind != yaml.ScalarNode || (kn.Tag != "!!str" && kn.Tag != "!!int") {
			return errAt(kn, path, "keys must be strings, got "+describe(kn))
		}
		key := kn.Value
		kp := joinKey(path, key)
		if known != nil && !slices.Contains(known, key) {
			if err := d.col.keep(errAt(kn, kp, "unknown key "+strconv.Quote(key)+" (want one of "+strings.Join(known, ", ")+")")); err != nil {
				return err
			}
			continue
		}
		if l, dup := seen[key]; dup {
			if err := d.col.keep(errAt(kn, kp, "duplicate key (first at line "+strconv.Itoa(l)+")")); err != nil {
				return err
			}
			continue
		}
		seen[key] = kn.Line
		d.lines[kp] = kn.Line
		if err := f(key, kp, vn); err != nil {
			if err := d.col.keep(err); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a node's kind for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.Tag {
		case "!!str":
			return "string " + strconv.Quote(v)
		case "!!null":
			return "null"
		}
		return strings.TrimPrefix(n.Tag, "!!") + " " + v
	}
	return "something else"
}
