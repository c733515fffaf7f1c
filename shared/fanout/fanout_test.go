package fanout_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jszg/applicant-accounts/shared/fanout"
)

// caught runs f and returns what it panicked with, as the handler's recovery would see it.
func caught(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestRunWaitsForEveryCallAndHandsOnAPanic(t *testing.T) {
	var done atomic.Int32
	got := caught(func() {
		fanout.Run(
			func() { done.Add(1) },
			func() { panic("the store's answer was nil") },
			func() { done.Add(1) },
		)
	})
	if done.Load() != 2 {
		t.Fatalf("%d of the other calls ran before Run returned", done.Load())
	}
	msg, _ := got.(string)
	if !strings.Contains(msg, "the store's answer was nil") || !strings.Contains(msg, "fanout_test.go") {
		t.Fatalf("the caller got %v: want the panic's value and where it happened", got)
	}
	if got := caught(func() { fanout.Run(func() { done.Add(1) }) }); got != nil || done.Load() != 3 {
		t.Fatalf("a run without a panic: %v, %d", got, done.Load())
	}
}

func TestStartsWaitHandsOnAPanic(t *testing.T) {
	wait := fanout.Start(func() { panic("boom") })
	if got, _ := caught(wait).(string); !strings.HasPrefix(got, "boom") {
		t.Fatalf("the wait panicked with %q", got)
	}
	ran := false
	wait = fanout.Start(func() { ran = true })
	if got := caught(wait); got != nil || !ran {
		t.Fatalf("a call without a panic: %v, ran %v", got, ran)
	}
}
