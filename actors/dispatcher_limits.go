package actors

import (
	"fmt"
	"math"
	"net/netip"
	"time"

	"kefu/limit"
)

// What one customer, or one address, may take of the queue and the agents.
// A customer counts against the address it sent its request from for as
// long as it waits or is in a conversation, its grace periods included; a
// customer restored after a restart has no known address and counts
// against none until it asks again.

// overLimit returns the refusal of c's request from addr, or nil. A
// refused request spends nothing.
func (d *dispatcher) overLimit(c *customerRec, addr netip.Addr) *OverLimit {
	if top := d.CustomersPerAddr; top > 0 && addr.IsValid() && d.perAddr[addr] >= top {
		return &OverLimit{Kind: limit.Customers, Err: &FrameError{
			Code:    ErrCodeTooManyCustomers,
			Message: fmt.Sprintf("too many customers waiting or chatting from your address (limit %d)", top),
		}}
	}
	if ok, retry := d.starts.Allow(c.ID); !ok {
		return &OverLimit{Kind: limit.ConvStarts, Err: &FrameError{
			Code:    ErrCodeRateLimited,
			Message: fmt.Sprintf("too many conversations started; try again in %d s", retrySeconds(retry)),
		}}
	}
	return nil
}

// count counts c against addr from its request on.
func (d *dispatcher) count(c *customerRec, addr netip.Addr) {
	if d.CustomersPerAddr > 0 && addr.IsValid() {
		c.addr = addr
		d.perAddr[addr]++
	}
}

// uncount stops counting c once it neither waits nor chats.
func (d *dispatcher) uncount(c *customerRec) {
	if !c.addr.IsValid() || c.wait != nil || c.conv != nil {
		return
	}
	if d.perAddr[c.addr]--; d.perAddr[c.addr] <= 0 {
		delete(d.perAddr, c.addr)
	}
	c.addr = netip.Addr{}
}

// retrySeconds is how long to wait in whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
