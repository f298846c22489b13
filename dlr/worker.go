package dlr

// work hands queued events to the callbacks until Shutdown, then hands
// over what is left in the queue and returns.
func (rv *Receiver) work(q chan *item) {
	defer rv.wg.Done()
	for {
		select {
		case it := <-q:
			rv.deliver(it)
		case <-rv.stop:
			for {
				select {
				case it := <-q:
					rv.deliver(it)
				default:
					return
				}
			}
		}
	}
}

// deliver frees the event's queue slot and calls its callback, recovering
// (and counting) a panic so that one bad callback does not stop the
// worker.
func (rv *Receiver) deliver(it *item) {
	<-rv.slots
	defer func() {
		if p := recover(); p != nil {
			rv.c.panics.Add(1)
			if l := rv.cfg.Logger; l != nil {
				l.Error("dlr: callback panicked", "inbound", it.inbound)
			}
		}
	}()
	if it.inbound {
		rv.cfg.OnInbound(it.m)
		return
	}
	rv.cfg.OnReceipt(it.r)
}
