// Long chains and the native stack. `1 + 1 + … + 1` parses in a loop and is evaluated and
// checked in a loop (Expr+Spine.swift), but Swift releases a tree recursively: dropping a chain
// of 100,000 links takes about 8 MiB of stack in a debug build, the whole of a main thread's.
// Chains longer than any program writes keep an anchor every `spacing` links for the rest of the
// process, so that releasing the tree stops at the nearest anchor instead of running down the
// whole chain. The price is that such a chain's tree is never freed: it costs what the file
// costs, once, and only for files no person writes.
import Synchronization

enum ChainAnchors {
  /// Chains up to this many links are released normally (at most about 1 MiB of stack).
  static let threshold = 10_000
  /// Links between anchors in a longer chain.
  static let spacing = 1_000

  private static let anchors = Mutex<[Expr]>([])

  /// Called with the chain's top after each link is added; `links` counts them so far.
  static func note(_ top: Expr, links: Int) {
    if links == threshold {
      // The chain just became long: anchor the links already built below the top.
      var kept: [Expr] = []
      var node = top
      var height = links
      while let next = node.leftOperand {
        if height % spacing == 0 { kept.append(node) }
        node = next
        height -= 1
      }
      anchors.withLock { $0 += kept }
    } else if links > threshold, links % spacing == 0 {
      anchors.withLock { $0.append(top) }
    }
  }
}
