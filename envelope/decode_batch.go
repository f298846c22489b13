package envelope

// DecodeBatch decodes the body of a successful SMS batch send into r. It
// reuses the capacity of r.Messages: the slice is truncated to [:0] and the
// items are decoded in place, so decoding allocates nothing once the slice
// has grown to the batch size.
func (d *Decoder) DecodeBatch(body []byte, r *BatchResponse) error {
	*r = BatchResponse{Messages: r.Messages[:0]}
	return decodeBatch(d, body, batchFields{&r.BatchID, &r.ClientBatchID, &r.AcceptedCount, &r.RejectedCount}, &r.Messages, (*Decoder).sms)
}

// batchFields points at the fields an SMS and a chat batch response share.
type batchFields struct {
	batchID, clientBatchID *string
	accepted, rejected     *int
}

// decodeBatch decodes a batch response: its shared fields into f, its
// "messages" into *msgs (capacity reused, see decodeItems), each with item.
func decodeBatch[T any](d *Decoder, body []byte, f batchFields, msgs *[]T, item func(*Decoder, *T)) error {
	d.begin(body)
	if d.top() && d.enter() {
		for first := true; ; first = false {
			x, more := d.member(first, batchKeys)
			if !more {
				break
			}
			switch x {
			case 0:
				d.string(f.batchID, "batchId")
			case 1:
				d.string(f.clientBatchID, "clientBatchId")
			case 2:
				d.int(f.accepted, "acceptedCount")
			case 3:
				d.int(f.rejected, "rejectedCount")
			case 4:
				switch d.data[d.pos] {
				case '[':
					*msgs = decodeItems(d, *msgs, item)
				case 'n':
					// encoding/json sets the slice to nil; keep the capacity.
					d.null()
					*msgs = (*msgs)[:0]
					d.hwm = 0
				default:
					d.wrongType("messages", "array")
				}
			default:
				d.skip()
			}
			if d.err != nil {
				break
			}
		}
	}
	return d.end()
}

var batchKeys = newKeySet("batchId", "clientBatchId", "acceptedCount", "rejectedCount", "messages")

// decodeItems decodes the array at d.pos into s[:0], each object with
// item, and returns the result.
//
// Items are decoded in place. An item is zeroed before its first use in
// this decode; if the body repeats "messages", later arrays merge into the
// items earlier ones filled in, exactly as encoding/json decodes into a
// slice (d.hwm counts the items filled in so far).
func decodeItems[T any](d *Decoder, s []T, item func(*Decoder, *T)) []T {
	s = s[:0]
	if !d.enter() {
		return s
	}
	var zero T
	for i := 0; ; i++ {
		if !d.next(i == 0) {
			break
		}
		if i < cap(s) {
			s = s[:i+1]
			if i >= d.hwm {
				s[i] = zero
			}
		} else {
			s = append(s, zero)
		}
		if i >= d.hwm {
			d.hwm = i + 1
		}
		d.index = i
		if d.object("") {
			item(d, &s[i])
		}
		d.index = -1
		if d.err != nil {
			break
		}
	}
	if len(s) == 0 {
		// "[]": encoding/json replaces the slice with a new empty one.
		d.hwm = 0
	}
	return s
}
