package synth

import (
	"bytes"
	"crypto/sha256"
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
