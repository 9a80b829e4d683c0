#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// libFuzzer's driver, called from each harness's entry point (the harness executables are linked
/// against `libclang_rt.fuzzer_no_main`, so the entry point is ours: SwiftPM names it
/// `<Module>_main`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

nonisolated(unsafe) private var currentBody: (([UInt8]) -> Void)?

/// Runs libFuzzer with `body` as the test function (one input's bytes per call).
public func runFuzzer(
  _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ body: @escaping ([UInt8]) -> Void
) -> Int32 {
  currentBody = body
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    currentBody?(bytes)
    return 0
  }
}

/// A property violation: prints what failed and aborts, so libFuzzer records the input.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
  if !condition() {
    print("PROPERTY VIOLATED: \(message())")
    fflushStdout()
    abort()
  }
}

func fflushStdout() { fflush(nil) }

/// The text of an error location `file:line:column: ...`, checked against the input's size:
/// line in 1...lines+1, column >= 1.
public func checkLocated(_ description: String, file: String, text: String) {
  fuzzCheck(description.hasPrefix(file + ":"), "error does not start with the file name: \(description)")
  let rest = description.dropFirst(file.count + 1).split(separator: ":", maxSplits: 2)
  fuzzCheck(rest.count >= 2, "error names no line and column: \(description)")
  guard rest.count >= 2, let line = Int(rest[0]), let column = Int(rest[1]) else {
    fuzzCheck(false, "error names no numeric line:column: \(description)")
    return
  }
  let lineCount = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    .count
  fuzzCheck(line >= 1 && line <= lineCount + 1, "line \(line) outside 1...\(lineCount + 1): \(description)")
  fuzzCheck(column >= 1, "column \(column) below 1: \(description)")
}
