// Command hashmem models the Argon2id hash's time against a Lambda function's MemorySize on
// this machine (issue 12, goal 3). Lambda gives a function CPU in proportion to its memory,
// one full vCPU at 1,769 MB; here a child process hashes with password.Default while this
// process holds its CPU time to share = MemorySize/1769 of wall time, per period, as the
// kernel's CFS quota does to a Lambda sandbox: each period the child runs (SIGCONT) until it
// has used its share of CPU, read at nanosecond precision from its process CPU clock, and is
// then stopped (SIGSTOP) until the period ends; time used past the share is paid back in the
// next period. It prints, per MemorySize, the median hash time, the GB-seconds of one hash
// (MemorySize/1024 × seconds), and the share the child actually got (its CPU time over the
// hashes' wall time), which checks the model.
//
//	go run ./bench/hashmem [-n 21] [-period 20ms] [-sizes 256,512,...]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jszg/applicant-accounts/bench/internal/machine"
	"github.com/jszg/applicant-accounts/shared/password"
)

// fullCPU is the MemorySize at which Lambda gives a function one full vCPU.
const fullCPU = 1769

const (
	childEnv   = "HASHMEM_CHILD"
	boostedEnv = "HASHMEM_BOOSTED"
)

// boost runs this process again at nice -20 where that is allowed (root), every thread of
// it, so that the controller wakes on time on a busy machine: a late wake lets the child run
// on past its share, and the wake goes through the Go runtime's other threads. The children
// get nice -10.
func boost() {
	if os.Getenv(boostedEnv) != "" || os.Geteuid() != 0 {
		return
	}
	nice, err := exec.LookPath("nice")
	self, err2 := os.Executable()
	if err != nil || err2 != nil {
		return
	}
	cmd := exec.Command(nice, append([]string{"-n", "-20", self}, os.Args[1:]...)...)
	cmd.Env = append(os.Environ(), boostedEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "hashmem:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func main() {
	if os.Getenv(childEnv) != "" {
		child()
		return
	}
	boost()
	rounds := flag.Int("rounds", 7, "rounds over the sizes")
	per := flag.Int("per", 3, "hashes timed per size in a round")
	period := flag.Duration("period", 20*time.Millisecond, "the quota's period")
	list := flag.String("sizes", "256,512,768,1024,1280,1536,1769,2048,3008", "MemorySize values, MB")
	flag.Parse()

	var sizes []*size
	for _, f := range strings.Split(*list, ",") {
		mb, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || mb <= 0 {
			fmt.Fprintf(os.Stderr, "hashmem: bad size %q\n", f)
			os.Exit(2)
		}
		sz, err := start(mb)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hashmem: %d MB: %v\n", mb, err)
			os.Exit(1)
		}
		defer sz.close()
		sizes = append(sizes, sz)
	}
	fmt.Printf("hashmem: %s, Argon2id %+v, %d rounds over the sizes, %d hashes a size a round, quota period %v\n",
		time.Now().UTC().Format(time.DateOnly), password.Default, *rounds, *per, *period)
	fmt.Printf("machine: %s; this process at nice %d\n", machine.Describe(), nice())
	// Rounds interleave the sizes, so that a busy moment of this machine falls on all alike.
	for range *rounds {
		for _, sz := range sizes {
			if err := sz.hash(*per, *period); err != nil {
				fmt.Fprintf(os.Stderr, "hashmem: %d MB: %v\n", sz.mb, err)
				os.Exit(1)
			}
		}
	}
	fmt.Printf("%-10s %6s %10s %10s %10s %10s %14s %10s\n", "MemorySize", "share", "median ms", "min ms", "max ms", "CPU ms", "GB-s per hash", "got share")
	for _, sz := range sizes {
		med := median(sz.walls)
		var wallSum, cpuSum time.Duration
		for i := range sz.walls {
			wallSum += sz.walls[i]
			cpuSum += sz.cpus[i]
		}
		fmt.Printf("%-10d %6.3f %10.1f %10.1f %10.1f %10.1f %14.4f %10.3f\n", sz.mb, sz.share,
			ms(med), ms(slices.Min(sz.walls)), ms(slices.Max(sz.walls)), ms(median(sz.cpus)),
			float64(sz.mb)/1024*med.Seconds(), float64(cpuSum)/float64(wallSum))
	}
	fmt.Println("share: MemorySize/1769 of one CPU; CPU ms: the child's CPU time a hash (median);",
		"got share: its CPU time over the hashes' wall time")
}

// size is a child process that hashes under one MemorySize's share, and its timings.
type size struct {
	mb          int
	share       float64
	cmd         *exec.Cmd
	in          io.WriteCloser
	out         *bufio.Scanner
	walls, cpus []time.Duration
}

// start starts a size's child and has it hash once, unthrottled and untimed, so that its
// memory is faulted in before the first timed hash.
func start(mb int) (*size, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// The child runs at nice -10 where allowed (boost), so that other work on this machine
	// takes little of the share it is given; "got share" shows what it had.
	cmd := exec.Command(self)
	if nice, err := exec.LookPath("nice"); err == nil && os.Getenv(boostedEnv) != "" {
		cmd = exec.Command(nice, "-n", "10", self)
	}
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sz := &size{mb: mb, share: float64(mb) / fullCPU, cmd: cmd, in: in, out: bufio.NewScanner(out)}
	if _, _, err := sz.ask(1); err != nil {
		sz.close()
		return nil, err
	}
	return sz, nil
}

// hash has the child hash n times under its share and keeps the timings.
func (sz *size) hash(n int, period time.Duration) error {
	done, ready := make(chan struct{}), make(chan struct{})
	throttled := make(chan struct{})
	go func() {
		throttle(sz.cmd.Process.Pid, sz.share, period, ready, done)
		close(throttled)
	}()
	<-ready // the child hashes only once the controller holds it
	walls, cpus, err := sz.ask(n)
	close(done)
	<-throttled
	_ = sz.cmd.Process.Signal(syscall.SIGCONT)
	sz.walls, sz.cpus = append(sz.walls, walls...), append(sz.cpus, cpus...)
	return err
}

// ask has the child hash n times and reads each hash's wall and CPU time.
func (sz *size) ask(n int) (walls, cpus []time.Duration, err error) {
	if _, err := fmt.Fprintln(sz.in, n); err != nil {
		return nil, nil, err
	}
	for range n {
		if !sz.out.Scan() {
			return nil, nil, fmt.Errorf("the child stopped: %v", sz.out.Err())
		}
		var wall, cpu int64
		if _, err := fmt.Sscanf(sz.out.Text(), "%d %d", &wall, &cpu); err != nil {
			return nil, nil, fmt.Errorf("the child said %q", sz.out.Text())
		}
		walls, cpus = append(walls, time.Duration(wall)), append(cpus, time.Duration(cpu))
	}
	return walls, cpus, nil
}

func (sz *size) close() {
	_ = sz.in.Close() // the child ends at the end of its input
	_ = sz.cmd.Process.Signal(syscall.SIGCONT)
	_ = sz.cmd.Wait()
}

// throttle holds process pid to share of one CPU's time per period until done. The time is
// counted from the start, so what the child used past its share in one period (a stop that
// came late) is taken from the next; a period it could not use is not banked.
func throttle(pid int, share float64, period time.Duration, ready chan<- struct{}, done <-chan struct{}) {
	clk := machine.CPUClock(pid)
	budget := time.Duration(share * float64(period))
	base, ok := cpuTime(clk)
	close(ready)
	if !ok {
		return
	}
	for k := time.Duration(1); ; k++ {
		end := time.Now().Add(period)
		if syscall.Kill(pid, syscall.SIGCONT) != nil {
			return
		}
		now, ok := cpuTime(clk)
		if !ok {
			return
		}
		if base+budget*k > now+budget {
			base = now + budget - budget*k
		}
		limit := base + budget*k
		for {
			used, ok := cpuTime(clk)
			if !ok {
				return
			}
			left := limit - used
			if left <= 0 {
				break
			}
			if time.Until(end) <= left { // the budget outlasts the period
				break
			}
			// The hash has one lane: the child uses at most about one CPU's time per wall
			// second, so it cannot pass the limit before this sleep ends by much.
			time.Sleep(left)
		}
		stopped := false
		if time.Now().Before(end) && limit-mustCPU(clk) <= 0 {
			if syscall.Kill(pid, syscall.SIGSTOP) != nil {
				return
			}
			stopped = true
		}
		if !sleepUntil(end, done) {
			if stopped {
				_ = syscall.Kill(pid, syscall.SIGCONT)
			}
			return
		}
	}
}

func mustCPU(clk int32) time.Duration {
	d, _ := cpuTime(clk)
	return d
}

// sleepUntil sleeps until t and reports whether done stayed open.
func sleepUntil(t time.Time, done <-chan struct{}) bool {
	select {
	case <-done:
		return false
	case <-time.After(time.Until(t)):
		return true
	}
}

func cpuTime(clk int32) (time.Duration, bool) {
	d, err := machine.CPUTime(clk)
	return d, err == nil
}

// child hashes with password.Default as many times as each line of its input says, and
// prints each hash's wall and CPU time (ns).
func child() {
	w := bufio.NewWriter(os.Stdout)
	self := machine.CPUClock(os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		n, err := strconv.Atoi(in.Text())
		if err != nil {
			os.Exit(2)
		}
		for range n {
			cpu0, _ := cpuTime(self)
			start := time.Now()
			if _, err := password.Hash("Smoke#2026ok"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			wall := time.Since(start)
			cpu1, _ := cpuTime(self)
			fmt.Fprintf(w, "%d %d\n", wall.Nanoseconds(), (cpu1 - cpu0).Nanoseconds())
		}
		if err := w.Flush(); err != nil {
			os.Exit(1)
		}
	}
}

// nice is this process's nice value (its main thread's).
func nice() int {
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return 20 - p // the raw system call answers 20 - nice
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
