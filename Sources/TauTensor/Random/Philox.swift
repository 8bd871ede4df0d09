// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator, so any block of any stream is computed directly from (key, counter).

/// One Philox4x32-10 block: 4 random words for `counter` under `key`. Pure integer arithmetic,
/// so the output is the same on every machine; checked against Random123's known answers.
@inline(__always)
func philox4x32(
  counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)
) -> (UInt32, UInt32, UInt32, UInt32) {
  var c = counter
  var k = key
  for round in 0..<10 {
    if round > 0 {
      k.0 &+= 0x9E37_79B9  // golden ratio
      k.1 &+= 0xBB67_AE85  // √3 - 1
    }
    let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
    let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
    c = (
      UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
      UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0)
    )
  }
  return c
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer used to derive stream keys.
@inline(__always)
func splitMix64(_ value: UInt64) -> UInt64 {
  var z = value &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// 64-bit FNV-1a of a string's UTF-8 bytes (stable across runs, unlike `Hasher`).
func fnv1a64(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x0000_0100_0000_01B3
  }
  return hash
}
