package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// memResult is the footprint of one queue holding n items, in bytes per
// item (the items themselves are allocated beforehand and not counted).
type memResult struct {
	peakRSS    float64 // growth of the process's peak RSS while filling, per item
	liveHeap   float64 // growth of the Go heap in use, after a GC, per item
	afterDrain float64 // the same once every item has been popped again (and a GC)
	afterIdle  float64 // the same after idleFor more, with a GC every gcEvery
	rssKind    string  // how peakRSS was measured
	// timeline, when asked for, is the heap in use through a second burst
	// and idle period, from the end of the first.
	timeline []heapSample
}

// heapSample is the Go heap in use (HeapInuse) at one instant.
type heapSample struct {
	at   time.Duration
	heap uint64
}

// The idle period after a burst: long enough for injectq's policy (an
// arena retired once quiet for a second, and collected a cycle or two
// later). The collections stand for a program that goes on allocating;
// an idle one collects every two minutes, and then so does the queue.
const (
	idleFor  = 1500 * time.Millisecond
	gcEvery  = 100 * time.Millisecond
	sampleAt = 50 * time.Millisecond
)

// idle waits idleFor, collecting every gcEvery, and calls sample every
// sampleAt.
func idle(sample func()) {
	start := time.Now()
	lastGC := start
	for time.Since(start) < idleFor {
		time.Sleep(sampleAt)
		if time.Since(lastGC) >= gcEvery {
			runtime.GC()
			lastGC = time.Now()
		}
		sample()
	}
}

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// runMemory fills a new queue of contender c with items (PushBatch in runs
// of 1024), measures, empties it again and measures what it keeps, at once
// and after an idle period. With timeline set it then runs a second burst
// and idle period, sampling the heap all along.
func runMemory(c Contender, items []*Item, timeline bool) memResult {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapInuse
	rss0, kind := rss()
	hwmReset := resetPeakRSS()

	q := c.New(len(items))
	fill := func() {
		for lo := 0; lo < len(items); lo += 1024 {
			q.PushBatch(items[lo:min(lo+1024, len(items))])
		}
	}
	fill()

	peak, _ := rss()
	if hwmReset {
		if p, ok := peakRSS(); ok {
			peak = max(peak, p)
			kind = "VmHWM"
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap1 := ms.HeapInuse

	buf := make([]*Item, 1024)
	drain := func() {
		for got := 0; got < len(items); {
			k := q.PopN(buf)
			if k == 0 {
				panic("bench: memory: lost items")
			}
			got += k
		}
		clear(buf)
	}
	drain()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap2 := ms.HeapInuse
	idle(func() {})
	heap3 := heapInuse()
	var tl []heapSample
	if timeline {
		start := time.Now()
		sample := func() { tl = append(tl, heapSample{time.Since(start), heapInuse()}) }
		sample()
		fill()
		sample()
		drain()
		sample()
		idle(sample)
	}
	runtime.KeepAlive(q)
	n := float64(len(items))
	return memResult{
		peakRSS:    float64(int64(peak)-int64(rss0)) / n,
		liveHeap:   float64(int64(heap1)-int64(heap0)) / n,
		afterDrain: float64(int64(heap2)-int64(heap0)) / n,
		afterIdle:  float64(int64(heap3)-int64(heap0)) / n,
		rssKind:    kind,
		timeline:   tl,
	}
}

// rss returns the resident set size (Linux: /proc/self/statm); elsewhere
// the memory the Go runtime has obtained from the OS.
func rss() (uint64, string) {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				return pages * uint64(os.Getpagesize()), "RSS"
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys - ms.HeapReleased, "Sys-HeapReleased"
}

// resetPeakRSS resets the kernel's peak-RSS mark (Linux ≥ 4.0).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024, err == nil
			}
		}
	}
	return 0, false
}
