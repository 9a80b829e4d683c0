/// A bad hyperparameter name or value; the message names the allowed ones.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
