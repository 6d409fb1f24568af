package main

import (
	"context"
	"os"
	"time"
)

// fileSig identifies one state of a file: when it is unchanged over two
// polls the upload is taken as complete.
type fileSig struct {
	size  int64
	mtime time.Time
}

// watcher implements `triage --watch DIR`: it polls DIR, hands each bundle
// to the triager once its size and mtime were stable over two consecutive
// polls (an upload renamed into place is stable at once; a slow copy is
// waited for), and keeps running until ctx is cancelled.
type watcher struct {
	dir      string
	poll     time.Duration
	discover func() ([]triageInput, error)
	// triage gets the inputs that became ready, and every input stable at
	// this poll (ready or not: the ONTAP logs already there are grouped
	// with the new bundles of their folder).
	triage func(ctx context.Context, ready, stable []triageInput) error

	last map[string]fileSig // state seen at the previous poll
	done map[string]fileSig // state last handed to triage
}

func (w *watcher) run(ctx context.Context) error {
	w.last = map[string]fileSig{}
	w.done = map[string]fileSig{}
	t := time.NewTicker(w.poll)
	defer t.Stop()
	for {
		if err := w.pollOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // clean stop: in-flight work was abandoned, nothing partial written
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pollOnce scans the folder and triages the bundles that became stable.
func (w *watcher) pollOnce(ctx context.Context) error {
	found, err := w.discover()
	if err != nil {
		return err
	}
	now := make(map[string]fileSig, len(found))
	var ready, stable []triageInput
	for _, in := range found {
		sig, ok := statSig(in)
		if !ok {
			continue
		}
		now[in.Path] = sig
		if prev, seen := w.last[in.Path]; seen && prev == sig {
			stable = append(stable, in)
			if d, was := w.done[in.Path]; !was || d != sig {
				ready = append(ready, in)
			}
		}
	}
	w.last = now
	if len(ready) == 0 {
		return nil
	}
	if err := w.triage(ctx, ready, stable); err != nil {
		return err
	}
	for _, in := range ready {
		w.done[in.Path] = now[in.Path]
	}
	return nil
}

func statSig(in triageInput) (fileSig, bool) {
	if in.IsDir {
		return fileSig{size: dirSize(in.Path)}, true
	}
	st, err := os.Stat(in.Path)
	if err != nil {
		return fileSig{}, false
	}
	return fileSig{size: st.Size(), mtime: st.ModTime()}, true
}
