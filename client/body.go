package client

import (
	"io"
	"strings"
	"sync"

	"github.com/octosend/octosend/envelope"
)

const (
	// DefaultMaxResponseBytes is the response body cap when
	// Config.MaxResponseBytes is zero.
	DefaultMaxResponseBytes = 1 << 20
	// maxPooledBuf is the largest buffer kept for reuse; bigger ones (a
	// 10,000-message batch) go to the garbage collector.
	maxPooledBuf = 256 << 10
	// maxPooledItems bounds the batch items a pooled decoder keeps.
	maxPooledItems = 1024
)

// buffer is a pooled byte slice.
type buffer struct{ b []byte }

var bufPool = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 2048)} }}

func getBuffer() *buffer { return bufPool.Get().(*buffer) }

func putBuffer(b *buffer) {
	if !bufferPoolable(b) {
		return
	}
	b.b = b.b[:0]
	bufPool.Put(b)
}

// readBody reads r into b, at most limit bytes. A body longer than limit
// (by its Content-Length, or by what arrives) is ErrResponseTooLarge; the
// buffer never grows beyond limit bytes.
func readBody(b *buffer, r io.Reader, contentLength, limit int64) error {
	b.b = b.b[:0]
	if contentLength > limit {
		return ErrResponseTooLarge
	}
	if contentLength > int64(cap(b.b)) {
		b.b = make([]byte, 0, contentLength)
	}
	for {
		end := cap(b.b)
		if int64(end) > limit {
			end = int(limit)
		}
		if len(b.b) == end {
			if int64(end) >= limit {
				// Full at the cap: one more byte means too large.
				var one [1]byte
				n, err := io.ReadFull(r, one[:])
				if n > 0 {
					return ErrResponseTooLarge
				}
				if err == io.EOF {
					return nil
				}
				return err
			}
			nb := make([]byte, len(b.b), min(int64(2*cap(b.b)+512), limit))
			copy(nb, b.b)
			b.b = nb
			continue
		}
		n, err := r.Read(b.b[len(b.b):end])
		b.b = b.b[:len(b.b)+n]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// scratch holds a decoder and the response values it decodes into, reused
// across sends.
type scratch struct {
	dec       envelope.Decoder
	errEnv    envelope.Error
	sms       envelope.SMSResponse
	batch     envelope.BatchResponse
	chat      envelope.ChatResponse
	chatBatch envelope.ChatBatchResponse
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// bufferPoolable reports whether b may be kept for another send.
func bufferPoolable(b *buffer) bool { return b != nil && cap(b.b) <= maxPooledBuf }

// scratchPoolable reports whether s may be kept for another send.
func scratchPoolable(s *scratch) bool {
	return s != nil && cap(s.batch.Messages) <= maxPooledItems && cap(s.chatBatch.Messages) <= maxPooledItems
}

func putScratch(s *scratch) {
	if !scratchPoolable(s) {
		return
	}
	scratchPool.Put(s)
}

// arena turns many short borrowed strings into one allocation: append
// them, then call done and cut the pieces out of the one string.
type arena struct {
	b    []byte
	offs []int32 // end offset of each piece
}

func (a *arena) add(s string) {
	a.b = append(a.b, s...)
	a.offs = append(a.offs, int32(len(a.b)))
}

// strings returns the pieces in the order they were added.
func (a *arena) strings(dst []string) []string {
	all := string(a.b)
	start := int32(0)
	for _, end := range a.offs {
		dst = append(dst, all[start:end])
		start = end
	}
	return dst
}

// intern returns a static copy of common API strings and a fresh copy of
// anything else, so results never borrow a pooled buffer.
func intern(s string) string {
	switch s {
	case "":
		return ""
	case "QUEUED":
		return "QUEUED"
	case "REJECTED":
		return "REJECTED"
	case "queued":
		return "queued"
	case "rejected":
		return "rejected"
	case "accepted":
		return "accepted"
	case "SMS is accepted and queued for processing":
		return "SMS is accepted and queued for processing"
	case "GSM7":
		return "GSM7"
	case "UCS2":
		return "UCS2"
	}
	return strings.Clone(s)
}
