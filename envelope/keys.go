package envelope

import "strings"

// Key matching. A decoder knows the few keys each object may hold, so rather
// than scanning a key for its closing quote (a load, a mask, a bit count,
// and only then the next load: a dependency chain the CPU must wait on for
// every key) it compares the sixteen bytes after the opening quote with
// each known key at once. The end of a matched key is then a constant
// offset, and decoding of the value can start without waiting. Keys that
// match none of them (unknown, escaped, differently cased, or too near the
// end of the body) take the general path: key, then keySet.index.

// keySpec is one known key of an object, as the bytes `key"` split into two
// little-endian words with masks of the bytes that count.
type keySpec struct {
	lo, hi   uint64
	loM, hiM uint64
	n        int // len(key)
}

// keySet is the known keys of one object type, in the order the API sends
// them; a key's index in names is what the decoders switch on.
type keySet struct {
	names []string
	specs []keySpec
}

func newKeySet(names ...string) *keySet {
	ks := &keySet{names: names}
	for _, name := range names {
		b := name + `"`
		var s keySpec
		if len(b) > 16 {
			// Too long for the fast matcher: a spec no key matches
			// (lo&0 is never 1), so member finds it through index.
			s.lo = 1
			ks.specs = append(ks.specs, s)
			continue
		}
		s.n = len(name)
		for i := 0; i < len(b); i++ {
			if i < 8 {
				s.lo |= uint64(b[i]) << (8 * i)
				s.loM |= 0xff << (8 * i)
			} else {
				s.hi |= uint64(b[i]) << (8 * (i - 8))
				s.hiM |= 0xff << (8 * (i - 8))
			}
		}
		ks.specs = append(ks.specs, s)
	}
	return ks
}

// index returns the index of k in ks: an exact match, or else a match under
// Unicode case folding (as encoding/json matches keys to fields), or -1.
func (ks *keySet) index(k string) int {
	for i, n := range ks.names {
		if k == n {
			return i
		}
	}
	for i, n := range ks.names {
		if strings.EqualFold(k, n) {
			return i
		}
	}
	return -1
}

// member advances to the next member of the object being decoded and
// returns the index of its key in ks (-1 for a key ks does not know),
// leaving d.pos at the first byte of the value. It returns false at the
// closing '}' (consumed) or on a syntax error (recorded).
func (d *Decoder) member(first bool, ks *keySet) (int, bool) {
	data, i := d.data, d.pos
	for i < len(data) && data[i] <= ' ' && isSpace(data[i]) {
		i++
	}
	ok := first
	if !first && i < len(data) && data[i] == ',' {
		ok = true
		i++
		for i < len(data) && data[i] <= ' ' && isSpace(data[i]) {
			i++
		}
	}
	if ok && i+17 <= len(data) && data[i] == '"' {
		lo, hi := load64(data, i+1), load64(data, i+9)
		for x := range ks.specs {
			s := &ks.specs[x]
			if lo&s.loM != s.lo || hi&s.hiM != s.hi {
				continue
			}
			j := i + 2 + s.n
			for j < len(data) && data[j] <= ' ' && isSpace(data[j]) {
				j++
			}
			if j >= len(data) || data[j] != ':' {
				break
			}
			j++
			for j < len(data) && data[j] <= ' ' && isSpace(data[j]) {
				j++
			}
			if j >= len(data) {
				break
			}
			d.pos = j
			return x, true
		}
	}
	k, more := d.key(first)
	if !more {
		return -1, false
	}
	return ks.index(k), true
}
