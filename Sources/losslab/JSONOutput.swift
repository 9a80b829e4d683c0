import Core
import Tensors

/// Prints `value` as JSON on standard output: the one way every `--json` flag writes
/// (`JSONText.data`: keys sorted, one line unless `pretty`).
func printJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws {
  print(try JSONText.string(value, pretty: pretty))
}
