package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// triageProgress draws "bundles done/total, throughput, ETA" on one
// terminal line of stderr. It is only created when stderr is a terminal.
type triageProgress struct {
	w        io.Writer
	interval time.Duration
	now      func() time.Time

	mu           sync.Mutex
	total, ndone int
	bytesTotal   int64
	bytesDone    int64
	inflight     map[string]int64 // bytes read so far of bundles being analyzed
	began        time.Time
	stopc        chan struct{}
	wg           sync.WaitGroup
}

func newTriageProgress(w io.Writer) *triageProgress {
	return &triageProgress{w: w, interval: 250 * time.Millisecond, now: time.Now}
}

func (p *triageProgress) start(total int, bytes int64) {
	p.mu.Lock()
	p.total, p.ndone, p.bytesTotal, p.bytesDone = total, 0, max(bytes, 0), 0
	p.inflight = map[string]int64{}
	p.began = p.now()
	p.stopc = make(chan struct{})
	p.mu.Unlock()
	p.wg.Go(func() {
		t := time.NewTicker(p.interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.stopc:
				return
			}
		}
	})
}

// reading records how far the analysis of one bundle has read.
func (p *triageProgress) reading(path string, bytesRead int64) {
	p.mu.Lock()
	if p.inflight != nil {
		p.inflight[path] = bytesRead
	}
	p.mu.Unlock()
}

func (p *triageProgress) done(path string, bytes int64) {
	p.mu.Lock()
	delete(p.inflight, path)
	p.ndone++
	p.bytesDone += max(bytes, 0)
	p.mu.Unlock()
}

func (p *triageProgress) stop() {
	close(p.stopc)
	p.wg.Wait()
	fmt.Fprint(p.w, "\r\033[K")
}

func (p *triageProgress) line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := p.now().Sub(p.began).Seconds()
	s := fmt.Sprintf("triage: %d/%d bundles", p.ndone, p.total)
	read := p.bytesDone
	for _, n := range p.inflight {
		read += n
	}
	if el > 0 && read > 0 {
		rate := float64(read) / el
		s += fmt.Sprintf(", %.1f MB/s", rate/1e6)
		if left := p.bytesTotal - read; left > 0 {
			s += ", ETA " + time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second).String()
		}
	}
	return s
}

func (p *triageProgress) draw() { fmt.Fprint(p.w, "\r\033[K"+p.line()) }
