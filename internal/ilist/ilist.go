// Package ilist is an intrusive doubly linked list: the element embeds
// its links, so putting it on a list allocates nothing (container/list
// allocates an Element per insert). It is what the retry budget's queue
// of held retries and the receipt tracker's and memory store's LRU and
// expiry lists are built on.
package ilist

// Links are the list pointers an element embeds. An element is on at
// most one List at a time.
type Links[T any] struct {
	prev, next *T
}

// ListLinks returns l; embedding Links gives the element this method,
// which List uses to reach the links.
func (l *Links[T]) ListLinks() *Links[T] { return l }

// Next returns the element after this one, nil at the back.
func (l *Links[T]) Next() *T { return l.next }

// Prev returns the element before this one, nil at the front.
func (l *Links[T]) Prev() *T { return l.prev }

// Elem is a pointer to an element type T that embeds Links[T].
type Elem[T any] interface {
	*T
	ListLinks() *Links[T]
}

// List is a list of *T. The zero List is empty and ready to use. It is
// not safe for concurrent use.
type List[T any, P Elem[T]] struct {
	head, tail *T
	n          int
}

// Front returns the first element, nil when the list is empty.
func (l *List[T, P]) Front() *T { return l.head }

// Back returns the last element, nil when the list is empty.
func (l *List[T, P]) Back() *T { return l.tail }

// Len returns the number of elements.
func (l *List[T, P]) Len() int { return l.n }

// PushFront puts e, which must not be on a list, first.
func (l *List[T, P]) PushFront(e *T) {
	k := P(e).ListLinks()
	k.prev, k.next = nil, l.head
	if l.head != nil {
		P(l.head).ListLinks().prev = e
	} else {
		l.tail = e
	}
	l.head = e
	l.n++
}

// PushBack puts e, which must not be on a list, last.
func (l *List[T, P]) PushBack(e *T) {
	k := P(e).ListLinks()
	k.prev, k.next = l.tail, nil
	if l.tail != nil {
		P(l.tail).ListLinks().next = e
	} else {
		l.head = e
	}
	l.tail = e
	l.n++
}

// Remove takes e, which must be on l, off it.
func (l *List[T, P]) Remove(e *T) {
	k := P(e).ListLinks()
	if k.prev != nil {
		P(k.prev).ListLinks().next = k.next
	} else {
		l.head = k.next
	}
	if k.next != nil {
		P(k.next).ListLinks().prev = k.prev
	} else {
		l.tail = k.prev
	}
	k.prev, k.next = nil, nil
	l.n--
}
