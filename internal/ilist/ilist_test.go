package ilist

import (
	"slices"
	"testing"
)

type item struct {
	Links[item]
	v int
}

type itemList = List[item, *item]

func values(l *itemList) []int {
	var out []int
	for e := l.Front(); e != nil; e = e.Next() {
		out = append(out, e.v)
	}
	return out
}

func backwards(l *itemList) []int {
	var out []int
	for e := l.Back(); e != nil; e = e.Prev() {
		out = append(out, e.v)
	}
	return out
}

func TestList(t *testing.T) {
	var l itemList
	a, b, c, d := &item{v: 1}, &item{v: 2}, &item{v: 3}, &item{v: 4}
	l.PushBack(b)
	l.PushFront(a)
	l.PushBack(c)
	l.PushBack(d)
	if got := values(&l); !slices.Equal(got, []int{1, 2, 3, 4}) || l.Len() != 4 {
		t.Fatalf("list %v len %d, want [1 2 3 4] 4", got, l.Len())
	}
	l.Remove(c) // middle
	l.Remove(a) // head
	l.Remove(d) // tail
	if got, back := values(&l), backwards(&l); !slices.Equal(got, []int{2}) || !slices.Equal(back, []int{2}) || l.Len() != 1 {
		t.Fatalf("after removals %v / %v len %d, want [2]", got, back, l.Len())
	}
	if a.prev != nil || a.next != nil || d.prev != nil {
		t.Error("a removed element keeps its links")
	}
	l.Remove(b)
	if l.Front() != nil || l.Back() != nil || l.Len() != 0 {
		t.Error("list not empty after removing everything")
	}
	l.PushFront(c) // reuse of a removed element
	if got := values(&l); !slices.Equal(got, []int{3}) {
		t.Errorf("reused element: %v", got)
	}
}

func TestListAllocatesNothing(t *testing.T) {
	var l itemList
	e := &item{}
	if n := testing.AllocsPerRun(100, func() { l.PushFront(e); l.Remove(e) }); n != 0 {
		t.Errorf("push and remove allocate %v", n)
	}
}
