package synth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"runtime"
	"testing"
)

func TestDeterministic(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 2 << 20, RotateBytes: 256 << 10, FragBytes: 300 << 10, Problems: AllProblems(), Seed: 42}
	var a, b bytes.Buffer
	if err := Write(&a, cfg); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Fatal("same config gave different bytes")
	}
	cfg.Seed = 43
	var c bytes.Buffer
	if err := Write(&c, cfg); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds gave the same bytes")
	}
}

// TestDeterministicAcrossWorkers: parallel compression of rotations must not
// change the bytes.
func TestDeterministicAcrossWorkers(t *testing.T) {
	cfg := Config{Generation: ESXi8, TargetBytes: 2 << 20, RotateBytes: 128 << 10, Problems: AllProblems()}
	var a, b bytes.Buffer
	prev := runtime.GOMAXPROCS(1)
	err := Write(&a, cfg)
	runtime.GOMAXPROCS(max(prev, 4))
	if err == nil {
		err = Write(&b, cfg)
	}
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("output depends on GOMAXPROCS")
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := GenerateContext(ctx, io.Discard, Config{TargetBytes: 8 << 20}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
