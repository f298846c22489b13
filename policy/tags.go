package policy

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// A config file holds only the values of YAML's core schema: strings,
// integers, floats, booleans, null, mappings and lists. checkTag refuses
// a value written with any other explicit tag — !!binary, !!timestamp,
// !!set, !!omap, !!pairs, a custom !foo or !<tag:example.com,2000:x>,
// a %TAG shorthand — instead of decoding it as if the tag were not there,
// and a core tag that does not fit its value (!!str on a mapping, !!null
// on "5s", !!int on "abc"). Untagged values, the non-specific "!" (a
// string) and core tags that fit are fine. Values without an explicit tag
// that resolve to another type (an unquoted 2001-12-14 is a timestamp)
// are refused by the decoders, which want one of the core types.
func checkTag(n *yaml.Node, key string) *ConfigError {
	if n.Style&yaml.TaggedStyle == 0 {
		return nil
	}
	kind, core := coreTags[n.Tag]
	if !core {
		return errAt(n, key, "unsupported YAML tag "+tagName(n.Tag)+
			" (a config holds only strings, numbers, booleans, null, mappings and lists; remove the tag)")
	}
	if kind != n.Kind {
		return errAt(n, key, "YAML tag "+n.Tag+" does not fit "+describeKind(n.Kind))
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!str" {
		return nil
	}
	implicit := (&yaml.Node{Kind: yaml.ScalarNode, Value: n.Value}).ShortTag()
	if implicit != n.Tag && !(n.Tag == "!!float" && implicit == "!!int") {
		return errAt(n, key, "value "+strconv.Quote(shorten(n.Value))+" does not fit its YAML tag "+n.Tag)
	}
	return nil
}

// coreTags are the tags of YAML's core schema and the node kind of each.
var coreTags = map[string]yaml.Kind{
	"!!str":   yaml.ScalarNode,
	"!!int":   yaml.ScalarNode,
	"!!float": yaml.ScalarNode,
	"!!bool":  yaml.ScalarNode,
	"!!null":  yaml.ScalarNode,
	"!!map":   yaml.MappingNode,
	"!!seq":   yaml.SequenceNode,
}

// tagName quotes a tag for a message when it is long or unusual.
func tagName(tag string) string {
	tag = shorten(tag)
	for _, c := range tag {
		if c <= ' ' || c == '"' || c > '~' {
			return strconv.Quote(tag)
		}
	}
	return tag
}

func describeKind(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a scalar"
}

// shorten cuts s to 40 bytes for a message.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
