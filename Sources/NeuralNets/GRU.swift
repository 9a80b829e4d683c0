import Core
import Tensors

/// A (multi-layer, optionally bidirectional) GRU over time-major sequences, as PyTorch's `nn.GRU`
/// with `batch_first=False`: input `[T, B, input]`, output `[T, B, D * H]` (D = 2 when
/// bidirectional: forward states in columns `0..<H`, backward states in `H..<2H`), final state
/// `[numLayers * D, B, H]` ordered layer by layer, forward before backward.
///
/// Each layer and direction runs the fused `gruSequence` kernel: one tape node per direction, the
/// input projection of all steps in one sgemm.
///
/// Variable lengths (`lengths[b]` valid steps of item b, the rest padding), with PyTorch's
/// packed-sequence semantics:
/// - the forward direction reads steps `0..<lengths[b]`; the backward direction starts from the
///   initial state at step `lengths[b] - 1` and runs down to 0;
/// - padded steps never change an item's state, and their outputs are zero;
/// - the final state of item b is its state after its last valid step (the forward direction's
///   state at `lengths[b] - 1`, the backward direction's at 0; the initial state when the length
///   is 0).
///
/// Parameter names follow PyTorch: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, and
/// `..._l0_reverse` for the backward direction.
public final class GRU: Module {
  public let inputSize: Int
  public let hiddenSize: Int
  public let numLayers: Int
  public let bidirectional: Bool
  /// `cells[layer][direction]`, direction 0 forward, 1 backward.
  public let cells: [[GRUCell]]

  public var directions: Int { bidirectional ? 2 : 1 }

  public struct Output {
    /// `[T, B, D * H]`, zero at padded steps.
    public let output: Variable
    /// `[numLayers * D, B, H]`.
    public let finalState: Variable
  }

  public init(
    inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false,
    using rng: inout RandomGenerator
  ) {
    precondition(numLayers >= 1, "GRU numLayers must be at least 1, got \(numLayers)")
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.numLayers = numLayers
    self.bidirectional = bidirectional
    let d = bidirectional ? 2 : 1
    var cells: [[GRUCell]] = []
    for layer in 0..<numLayers {
      let width = layer == 0 ? inputSize : d * hiddenSize
      cells.append((0..<d).map { _ in GRUCell(inputSize: width, hiddenSize: hiddenSize, using: &rng) })
    }
    self.cells = cells
  }

  /// Differentiable pass over `x` `[T, B, input]` from `initialState` `[numLayers * D, B, H]`
  /// (zeros when nil), with optional per-item `lengths` (see the type's documentation).
  public func callAsFunction(_ x: Variable, initialState: Variable? = nil, lengths: [Int]? = nil) -> Output {
    let tape = x.tape
    return run(x, initialState: initialState, lengths: lengths) { tape.parameter($0) }
  }

  /// Inference without gradients: `(output [T, B, D * H], finalState [numLayers * D, B, H])`.
  public func callAsFunction(
    _ x: Tensor, initialState: Tensor? = nil, lengths: [Int]? = nil
  ) -> (output: Tensor, finalState: Tensor) {
    let tape = Tape()
    let out = run(tape.constant(x), initialState: initialState.map { tape.constant($0) }, lengths: lengths) {
      tape.constant($0.value)
    }
    return (out.output.value, out.finalState.value)
  }

  private func run(
    _ x: Variable, initialState: Variable?, lengths: [Int]?, weight: (Parameter) -> Variable
  ) -> Output {
    let tape = x.tape
    precondition(
      x.shape.count == 3 && x.shape[2] == inputSize, "GRU input must be [T, B, \(inputSize)], got \(x.shape)")
    let (steps, batch) = (x.shape[0], x.shape[1])
    let d = directions
    if let initialState {
      precondition(
        initialState.shape == [numLayers * d, batch, hiddenSize],
        "GRU initial state must be [\(numLayers * d), \(batch), \(hiddenSize)], got \(initialState.shape)")
    }
    let zeros = initialState == nil ? tape.constant(Tensor(zeros: [batch, hiddenSize])) : nil
    let mask: Variable? = lengths.map { lengths in
      var m = [Float](repeating: 0, count: steps * batch * hiddenSize)
      for t in 0..<steps {
        for b in 0..<batch where t < lengths[b] {
          for j in 0..<hiddenSize { m[(t * batch + b) * hiddenSize + j] = 1 }
        }
      }
      return tape.constant(Tensor(shape: [steps, batch, hiddenSize], data: m))
    }
    var input = x
    var finals: [Variable] = []
    for layer in 0..<numLayers {
      var outputs: [Variable] = []
      for direction in 0..<d {
        let cell = cells[layer][direction]
        let h0 = initialState?.index(layer * d + direction) ?? zeros!
        let states = gruSequence(
          input, h0: h0, weightIH: weight(cell.weightIH), weightHH: weight(cell.weightHH),
          biasIH: weight(cell.biasIH), biasHH: weight(cell.biasHH), lengths: lengths, reverse: direction == 1)
        if steps == 0 {
          finals.append(h0)
        } else {
          finals.append(states.index(direction == 0 ? steps - 1 : 0))
        }
        outputs.append(mask.map { states * $0 } ?? states)
      }
      input = d == 1 ? outputs[0] : concat(outputs, axis: 2)
    }
    return Output(output: input, finalState: stack(finals))
  }

  public func namedParameters() -> [(name: String, parameter: Parameter)] {
    var out: [(name: String, parameter: Parameter)] = []
    for (layer, pair) in cells.enumerated() {
      for (direction, cell) in pair.enumerated() {
        let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
        for (name, p) in cell.namedParameters() { out.append((name + suffix, p)) }
      }
    }
    return out
  }
}
