import Tensors

extension CTCLoss {
  /// Differentiable CTC loss on a tape: logits `[T, N, C]` (time-major) to a scalar (`.sum`,
  /// `.mean`) or the per-item losses `[N]` (`.none`). The kernel computes the gradient in the
  /// same pass as the loss; backward only scales it by the incoming gradient.
  public func callAsFunction(logits: Variable, targets: [[Int]], inputLengths: [Int]) throws -> Variable {
    let shape = logits.shape
    let out = try self(logits: logits.value, targets: targets, inputLengths: inputLengths)
    let value = reduction == .none ? Tensor(out.losses.map { Float($0) }) : Tensor(Float(out.loss))
    return logits.tape.record(value, inputs: [logits]) { upstream in
      [Tensor(shape: shape, data: out.gradient(scaledBy: upstream.data.map { Double($0) }, shape: shape))]
    }
  }
}
