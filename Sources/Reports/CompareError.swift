/// A bad comparison request or a report that cannot be built.
public struct CompareError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
