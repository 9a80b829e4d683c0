import Foundation
import Runs
import Training

/// metrics.csv without the wall-clock columns, which are the only ones two runs of the same seed
/// and code path may differ in.
func deterministicColumns(_ folder: RunFolder) throws -> [[String]] {
  let lines = try String(contentsOf: folder.metricsCSVURL, encoding: .utf8).split(separator: "\n")
  let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
  let keep = header.indices.filter { !PPOTraining.wallClockKeys.contains(header[$0]) }
  return lines.map { line in
    let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    return keep.map { cells[$0] }
  }
}
