package bundles

import (
	"archive/tar"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// walkTar walks one tar stream (a host bundle) in the walker goroutine.
// Regular members are streamed to the pool; FRAG pieces are streamed live
// while they arrive in order, and stored otherwise (see doc.go).
func (w *walk) walkTar(rr *ratioReader, prefix string, kind BundleKind) {
	tr := tar.NewReader(rr)
	fs := w.frags
	b := -1
	root := ""
	var live *fragSet
	closeLive := func() {
		if live != nil {
			close(live.live.ch)
			live.live = nil
			live = nil
		}
	}
loop:
	for w.alive() {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.containerErr(prefix, rr.n, opOf(err, "tar"), classify(err))
			break
		}
		name, safe := cleanName(hdr.Name)
		vpath := prefix + "!" + hdr.Name
		if name == "" || name == "." {
			continue // "./" entry of tars made with "tar -C dir ."
		}
		if b < 0 {
			root = rootOf(name, hdr.Typeflag == tar.TypeDir)
			b = w.newBundle(prefix, kind, root)
		}
		if !safe {
			w.containerErr(vpath, rr.n, "path", ErrUnsafePath)
			continue
		}
		// Skipped entries (unsafe, links, devices, directories) deliver
		// nothing, so they do not end a live FRAG stream.
		switch hdr.Typeflag {
		case tar.TypeReg, 0:
		case tar.TypeDir:
			continue
		case tar.TypeSymlink, tar.TypeLink:
			w.containerErr(vpath, rr.n, "link", fmt.Errorf("%w: -> %s", ErrSymlink, hdr.Linkname))
			continue
		default:
			w.containerErr(vpath, rr.n, "special", fmt.Errorf("%w: tar type %q", ErrSpecial, hdr.Typeflag))
			continue
		}
		if base, idx, ok := fragSuffix(name); ok {
			rawBase, _, _ := fragSuffix(hdr.Name)
			key := strconv.Itoa(b) + "\x00" + base
			set := fs.set(key, prefix+"!"+rawBase, relOf(base, root), b)
			if idx <= set.liveUpTo || set.pieces[idx] != nil {
				w.containerErr(vpath, rr.n, "frag-order", fmt.Errorf("%w: duplicate piece skipped", ErrFragOrder))
				continue
			}
			if live == set && idx == set.liveUpTo+1 {
				n, err := w.pump(set.live, tr)
				set.liveUpTo, set.liveBytes = idx, set.liveBytes+n
				if err != nil {
					w.tarDataErr(vpath, set.liveBytes, err, set.liveSeq)
					break loop
				}
				continue
			}
			closeLive()
			switch {
			case idx == 0 && set.liveUpTo < 0 && len(set.pieces) == 0:
				j := &job{m: Member{Bundle: b, Path: vpath, Rel: set.rel, Size: -1}, meta: metaOf(set.rel)}
				if !w.startStream(j) {
					break loop
				}
				set.live, set.liveSeq, live = j.st, j.m.Seq, set
				n, err := w.pump(set.live, tr)
				set.liveUpTo, set.liveBytes = 0, n
				if err != nil {
					w.tarDataErr(vpath, n, err, set.liveSeq)
					break loop
				}
			default:
				n, err := fs.store(set, idx, vpath, tr, hdr.Size)
				if err != nil {
					w.tarDataErr(vpath, n, err, w.seq)
					break loop
				}
			}
			continue
		}
		closeLive()
		rel := relOf(name, root)
		j := &job{m: Member{Bundle: b, Path: vpath, Rel: rel, Size: hdr.Size}, meta: metaOf(rel)}
		if err := w.pumpMember(j, tr, vpath, "tar"); err != nil {
			break loop // the tar stream is unusable after a data error
		}
	}
	closeLive()
	if b < 0 {
		w.newBundle(prefix, kind, "")
	}
	w.finishFrags()
}

// tarDataErr records a failure while reading a member's data.
func (w *walk) tarDataErr(vpath string, off int64, err error, seq int) {
	if w.ctx.Err() != nil {
		return
	}
	w.s.addError(&MemberError{Path: vpath, Offset: off, Op: opOf(err, "tar"), Err: classify(err), Seq: seq})
}

// finishFrags delivers the stored FRAG pieces of the container just walked.
func (w *walk) finishFrags() {
	fs := w.frags
	for _, set := range fs.order {
		if len(set.pieces) == 0 {
			continue
		}
		idxs := make([]int, 0, len(set.pieces))
		for i := range set.pieces {
			idxs = append(idxs, i)
		}
		sort.Ints(idxs)
		plans, prefixErrs := planFrags(set.vbase, idxs, func(i int) pieceSrc { return fs.opener(set.pieces[i]) }, set.liveUpTo, set.liveBytes)
		for _, e := range prefixErrs {
			e.Seq = set.liveSeq
			w.s.addError(e)
		}
		w.deliverPlans(plans, set.bundle, set.rel)
	}
	fs.sets = map[string]*fragSet{}
	fs.order = nil
}

// deliverPlans enqueues the members planned from FRAG pieces.
func (w *walk) deliverPlans(plans []fragPlan, bundle int, rel string) {
	for _, p := range plans {
		if p.skip {
			for _, e := range p.errs {
				e.Seq = w.seq
				w.s.addError(e)
			}
			for _, ps := range p.pieces {
				if ps.release != nil {
					ps.release()
				}
			}
			continue
		}
		j := &job{m: Member{Bundle: bundle, Path: p.vpath, Rel: rel, Size: p.size, Seq: w.newSeq()}, pieces: p.pieces, meta: metaOf(rel)}
		for _, e := range p.errs {
			e.Seq = j.m.Seq
			w.s.addError(e)
		}
		if !w.alive() || !w.enqueue(j) {
			for _, ps := range p.pieces {
				if ps.release != nil {
					ps.release()
				}
			}
		}
	}
}
