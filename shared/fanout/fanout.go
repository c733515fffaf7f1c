// Package fanout runs a request's calls at once on goroutines of their own, and hands a
// panic in any of them to the request's own goroutine: a panic on another goroutine escapes
// the handler's recovery (api.Lambda) and ends the whole process, every request it serves
// with it, where the request alone should end with a 500.
package fanout

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Run runs the calls at once and returns when all have; if any panicked, Run panics with
// the first panic's value and stack, on the caller's goroutine, after all have returned.
func Run(calls ...func()) {
	var wg sync.WaitGroup
	var caught panicked
	for _, call := range calls {
		wg.Go(func() {
			defer caught.recover()
			call()
		})
	}
	wg.Wait()
	caught.raise()
}

// Start runs call on a goroutine of its own and returns the wait for it, which panics as
// Run does if call did.
func Start(call func()) (wait func()) {
	done := make(chan struct{})
	var caught panicked
	go func() {
		defer close(done)
		defer caught.recover()
		call()
	}()
	return func() {
		<-done
		caught.raise()
	}
}

// panicked keeps the first panic of some goroutines, with where it happened.
type panicked struct {
	mu    sync.Mutex
	value any
}

func (p *panicked) recover() {
	if v := recover(); v != nil {
		p.mu.Lock()
		if p.value == nil {
			p.value = fmt.Sprintf("%v\n\ngoroutine stack at the panic:\n%s", v, debug.Stack())
		}
		p.mu.Unlock()
	}
}

func (p *panicked) raise() {
	p.mu.Lock()
	v := p.value
	p.mu.Unlock()
	if v != nil {
		panic(v)
	}
}
