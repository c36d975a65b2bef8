package testkit

import (
	"sync"
	"time"
)

// Clock is a settable test clock for the cores' Now options. A live clock
// (NewLiveClock) follows the wall clock plus an offset tests advance; a
// fixed clock (NewClock) stands still until moved.
type Clock struct {
	mu     sync.Mutex
	live   bool
	at     time.Time     // fixed clocks
	offset time.Duration // live clocks
}

// NewClock is a fixed clock at start.
func NewClock(start time.Time) *Clock { return &Clock{at: start} }

// NewLiveClock is the wall clock, moved forward by Add.
func NewLiveClock() *Clock { return &Clock{live: true} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		return time.Now().Add(c.offset)
	}
	return c.at
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		c.offset += d
	} else {
		c.at = c.at.Add(d)
	}
}

// Set puts the clock at t (a live clock keeps following the wall clock
// from there).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		c.offset = time.Until(t)
	} else {
		c.at = t
	}
}
