// Package machine describes the machine a bench runs on and reads processes' CPU time, for
// the figures docs/PERFORMANCE.md records with their machine.
package machine

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Describe is the machine in one line: CPUs and their model, memory, Go, the load average.
func Describe() string {
	return fmt.Sprintf("%d CPUs (%s), %s, %s/%s, %s, load average %s",
		runtime.NumCPU(), CPUModel(), memory(), runtime.GOOS, runtime.GOARCH, runtime.Version(), LoadAverage())
}

// CPUModel is /proc/cpuinfo's model name.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown model"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown model"
}

// LoadAverage is the 1, 5 and 15 minute load averages.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	var kib int64
	if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kib); err != nil {
		return "unknown memory"
	}
	return fmt.Sprintf("%.0f GiB", float64(kib)/(1<<20))
}

// CPUClock is the clock of process pid's CPU time, all its threads (clock_getcpuclockid).
func CPUClock(pid int) int32 {
	const cpuClockSched = 2
	return int32(^pid<<3 | cpuClockSched)
}

// CPUTime reads a CPU clock, to the nanosecond.
func CPUTime(clk int32) (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(clk, &ts); err != nil {
		return 0, err
	}
	return time.Duration(ts.Nano()), nil
}
