package policy

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// MaxAliasValues bounds what YAML aliases may add to a config file: the
// number of values (scalars, mappings, lists) that expanding every alias
// creates on top of the values written in the file. A file without
// aliases is never refused by it, whatever its size (MaxConfigSize bounds
// that); a file whose aliases would repeat a subtree past it (an "alias
// bomb", such as nested anchors each doubling the last) is refused before
// anything is decoded, in time proportional to the file's size.
//
// 500,000 values is about twice the largest file MaxConfigSize allows
// written out in full: 10,000 tenants sharing one five-rule list through
// an alias add 250,000.
const MaxAliasValues = 500_000

// aliasCounter measures the expansion of a YAML tree: expanded returns
// the number of values a node stands for once every alias in it is
// replaced by its anchor's value. Anchored nodes are memoized, so the
// count costs one pass over the file however much the aliases repeat.
type aliasCounter struct {
	memo  map[*yaml.Node]int // expanded size of anchored nodes; -1 while counting
	added int                // values the aliases seen so far add
	err   *ConfigError
}

// saturated is where counts stop growing, far past MaxAliasValues and far
// from overflow.
const saturated = 1 << 40

// checkAliases returns a *ConfigError when the aliases of the tree at root
// add over MaxAliasValues values, or when an alias refers to a value that
// contains it (a cycle yaml.v3 builds for "&a [*a]"). The error names the
// line of the alias that crosses the limit.
func checkAliases(root *yaml.Node) *ConfigError {
	c := &aliasCounter{memo: map[*yaml.Node]int{}}
	c.expanded(root, 0)
	return c.err
}

// expanded visits n and what is written inside it, in file order, and
// returns its expanded size. Each alias adds its anchor's expanded size
// less one (itself) to c.added; an alias inside an anchored value is
// counted once where it is written, and its expansion is part of the
// anchor's size wherever that anchor is repeated. depth bounds the
// recursion (the parser allows 10,000 levels of nesting).
func (c *aliasCounter) expanded(n *yaml.Node, depth int) int {
	if c.err != nil || n == nil {
		return 0
	}
	if depth > 20_000 {
		c.err = &ConfigError{Line: n.Line, Msg: "invalid YAML: nested too deeply"}
		return 0
	}
	if n.Kind == yaml.AliasNode {
		size := c.target(n, depth)
		if c.err != nil {
			return 0
		}
		c.added = min(c.added+size-1, saturated)
		if c.added > MaxAliasValues {
			c.err = &ConfigError{Line: n.Line, Msg: "aliases expand to over " + strconv.Itoa(MaxAliasValues) +
				" values more than the file writes (MaxAliasValues)"}
			return 0
		}
		return size
	}
	if n.Anchor != "" {
		c.memo[n] = -1 // being counted: an alias to it from inside is a cycle
	}
	size := 1
	for _, ch := range n.Content {
		size = min(size+c.expanded(ch, depth+1), saturated)
	}
	if n.Anchor != "" && c.err == nil {
		c.memo[n] = size
	}
	return size
}

// target returns the expanded size of the value alias a refers to.
func (c *aliasCounter) target(a *yaml.Node, depth int) int {
	t := a.Alias
	if t == nil {
		c.err = &ConfigError{Line: a.Line, Msg: "invalid YAML: bad alias"}
		return 0
	}
	size, ok := c.memo[t]
	if !ok {
		// An anchor is written before its aliases, so the walk has
		// always met t already; should the parser ever hand over a
		// tree where it has not, count t without keeping what its own
		// aliases add (that is an over-count, never an under-count,
		// once t is reached in file order).
		saved := c.added
		c.memo[t] = -1
		size = c.expanded(t, depth+1)
		c.added = saved
		if c.err != nil {
			return 0
		}
		c.memo[t] = size
	}
	if size < 0 {
		c.err = &ConfigError{Line: a.Line, Msg: "alias *" + a.Value + " refers to a value that contains it"}
		return 0
	}
	return size
}
