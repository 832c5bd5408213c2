package klarnasim

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the simulator's one notion of time. Simulated time runs Speed
// times faster than real time and can be advanced by hand; every deadline,
// timer and retry schedule in the simulator reads it.
type Clock struct {
	mu       sync.Mutex
	real     func() time.Time
	baseReal time.Time
	baseSim  time.Time
	speed    float64
}

// NewClock starts simulated time at start (or real now when zero).
func NewClock(real func() time.Time, start time.Time, speed float64) *Clock {
	if real == nil {
		real = time.Now
	}
	now := real()
	if start.IsZero() {
		start = now
	}
	if speed <= 0 {
		speed = 1
	}
	return &Clock{real: real, baseReal: now, baseSim: start, speed: speed}
}

// Now is the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	elapsed := c.real().Sub(c.baseReal)
	return c.baseSim.Add(time.Duration(float64(elapsed) * c.speed)).UTC()
}

// Speed is the factor simulated time runs faster than real time.
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// SetSpeed changes the speed from now on.
func (c *Clock) SetSpeed(f float64) {
	if f <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.baseSim = c.nowLocked()
	c.baseReal = c.real()
	c.speed = f
}

// Advance jumps simulated time forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.baseSim = c.baseSim.Add(d)
}

// RealDuration converts a simulated duration into real time at the current speed.
func (c *Clock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.Speed())
}

// timer is a scheduled simulator action. Entities carry their own due time;
// a popped timer whose entity no longer matches is ignored (lazy cancel).
type timer struct {
	at   time.Time
	kind string
	id   string
	seq  uint64
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

type scheduler struct {
	mu  sync.Mutex
	h   timerHeap
	seq uint64
}

func (s *scheduler) add(at time.Time, kind, id string) {
	s.mu.Lock()
	s.seq++
	heap.Push(&s.h, timer{at: at, kind: kind, id: id, seq: s.seq})
	s.mu.Unlock()
}

// due pops every timer at or before now.
func (s *scheduler) due(now time.Time) []timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []timer
	for len(s.h) > 0 && !s.h[0].at.After(now) {
		out = append(out, heap.Pop(&s.h).(timer))
	}
	return out
}

func (s *scheduler) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.h)
}
