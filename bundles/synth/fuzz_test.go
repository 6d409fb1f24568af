package synth

import (
	"io"
	"testing"
)

// FuzzGenerate: any combination of generation, problems, damage, sizes and seed
// either is rejected by Config validation or generates without panicking, and an
// undamaged result reads back with exact content sizes.
func FuzzGenerate(f *testing.F) {
	f.Add(int64(1), uint8(5), uint16(0xffff), uint8(0), uint32(64<<10), uint32(0), uint32(0))
	f.Add(int64(7), uint8(6), uint16(1), uint8(15), uint32(300<<10), uint32(40<<10), uint32(30<<10))
	f.Add(int64(-3), uint8(1), uint16(0x33), uint8(2), uint32(1), uint32(1), uint32(1))
	f.Fuzz(func(t *testing.T, seed int64, gen uint8, probs uint16, dmg uint8, target, rotate, frag uint32) {
		cfg := Config{Generation: Generation(gen % 8), Seed: seed, TargetBytes: int64(target % (512 << 10)),
			RotateBytes: int64(rotate % (256 << 10)), FragBytes: int64(frag % (256 << 10))}
		for i, p := range AllProblems() {
			if probs&(1<<i) != 0 && Supported(cfg.Generation, p) {
				cfg.Problems = append(cfg.Problems, p)
			}
		}
		for i, d := range AllDamage() {
			if dmg&(1<<i) != 0 {
				cfg.Damage = append(cfg.Damage, d)
			}
		}
		if cfg.FragBytes > 0 && cfg.FragBytes < 512 {
			cfg.FragBytes = 512 // keep the number of pieces sane
		}
		if cfg.RotateBytes > 0 && cfg.RotateBytes < 4096 {
			cfg.RotateBytes = 4096
		}
		m, err := Generate(io.Discard, cfg)
		if err != nil {
			return
		}
		if len(cfg.Damage) > 0 {
			return
		}
		b, _ := genBundle(t, cfg)
		es, err := readTgz(t, b)
		if err != nil {
			t.Fatal(err)
		}
		files := logical(t, es)
		for _, mi := range m.Members {
			if int64(len(files[mi.Rel])) != mi.Content {
				t.Fatalf("%s: %d bytes, manifest %d", mi.Rel, len(files[mi.Rel]), mi.Content)
			}
		}
	})
}
