import CTC
import Core
import NeuralNets
import Speech
import Tensors
import Testing

@testable import CTC
@testable import Tensors

@Suite struct AcousticModelTests {
  func randomExample(frames: Int, labels: [Int], rng: inout RandomGenerator, bands: Int = 80) -> SpeechExample
  {
    let features = Tensor(
      shape: [frames, bands], data: (0..<(frames * bands)).map { _ in Float(rng.normal()) })
    return SpeechExample(
      features: features, labels: labels, text: SpeechAlphabet.decode(labels), duration: Double(frames) / 100)
  }

  @Test func frameStackingClosedForm() {
    // 5 frames of 1 band valued 1...5, stride 2, context 1: windows of 4 frames starting at -1, 1, 3.
    let example = SpeechExample(
      features: Tensor(shape: [5, 1], data: [1, 2, 3, 4, 5]), labels: [2], text: "a", duration: 0.05)
    let stacking = FrameStacking(stride: 2, context: 1)
    #expect(stacking.window == 4)
    #expect(stacking.outputFrames(5) == 3)
    let batch = SpeechBatch([example], indices: [0], stacking: stacking)
    #expect(batch.input.shape == [3, 1, 4])
    #expect(batch.input.data == [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 0, 0])
    #expect(batch.lengths == [3])
  }

  @Test func bucketsCoverEveryItemOnce() {
    let lengths = [50, 10, 30, 20, 40, 60, 70]
    var none: RandomGenerator? = nil
    let sorted = SpeechBatching.batches(lengths: lengths, batchSize: 3, using: &none)
    #expect(sorted == [[1, 3, 2], [4, 0, 5], [6]])
    var rng: RandomGenerator? = RandomGenerator(seed: 5)
    let shuffled = SpeechBatching.batches(lengths: lengths, batchSize: 3, using: &rng)
    #expect(shuffled.flatMap { $0 }.sorted() == Array(0..<7))
    #expect(shuffled.map(\.count).sorted() == [1, 3, 3])
  }

  @Test func logitShapesAndLengthMasking() {
    var rng = RandomGenerator(seed: 11)
    var config = AcousticModelConfig()
    config.hidden = 16
    config.frontendWidth = 24
    config.layers = 2
    let model = AcousticModel(config, using: &rng)
    let examples = [
      randomExample(frames: 31, labels: [2, 3], rng: &rng), randomExample(frames: 12, labels: [4], rng: &rng),
    ]
    let batch = SpeechBatch(examples, indices: [0, 1], stacking: config.stacking)
    #expect(batch.lengths == [11, 4])
    let logits = model.logits(batch)
    #expect(logits.shape == [11, 2, SpeechAlphabet.count])
    // The short item's logits in the padded batch equal its logits alone (the backward GRU
    // starts at its own last frame; padding never reaches it). Tolerance: float summation order.
    let alone = model.logits(SpeechBatch(examples, indices: [1], stacking: config.stacking))
    let padded = logits.timeMajorItem(1, frames: 4)
    for (a, b) in zip(padded, alone.data) { #expect(abs(a - b) <= 1e-5) }
    // Tape and inference paths agree.
    let tape = Tape()
    let taped = model(tape.constant(batch.input), lengths: batch.lengths)
    #expect(taped.shape == logits.shape)
    for (a, b) in zip(taped.value.data, logits.data) { #expect(abs(a - b) <= 1e-5) }
    #expect(model.namedParameters().map(\.name).first == "frontend.weight")
    #expect(model.namedParameters().map(\.name).last == "output.bias")
  }

  @Test func lossGradientMatchesFiniteDifferences() throws {
    var rng = RandomGenerator(seed: 2)
    var config = AcousticModelConfig()
    config.bands = 6
    config.hidden = 5
    config.frontendWidth = 7
    let model = AcousticModel(config, using: &rng)
    let examples = [
      randomExample(frames: 14, labels: [2, 3, 3], rng: &rng, bands: 6),
      randomExample(frames: 9, labels: [5], rng: &rng, bands: 6),
    ]
    let batch = SpeechBatch(examples, indices: [0, 1], stacking: config.stacking)
    let ctc = CTCLoss(reduction: .mean, threads: 1)
    func loss() throws -> Double {
      try ctc(logits: model.logits(batch), targets: batch.labels, inputLengths: batch.lengths).loss
    }
    let tape = Tape()
    let l = try ctc(
      logits: model(tape.constant(batch.input), lengths: batch.lengths), targets: batch.labels,
      inputLengths: batch.lengths)
    tape.backward(l)
    // Central differences in Float with h = 1e-2: tolerance 2e-3 absolute + 3% relative.
    let h: Float = 1e-2
    for (name, p) in model.namedParameters() {
      for k in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 4)) {
        let saved = p.value.data[k]
        p.value.data[k] = saved + h
        let up = try loss()
        p.value.data[k] = saved - h
        let down = try loss()
        p.value.data[k] = saved
        let numeric = (up - down) / Double(2 * h)
        let analytic = Double(p.grad.data[k])
        #expect(
          abs(numeric - analytic) <= 2e-3 + 0.03 * abs(numeric), "\(name)[\(k)]: \(analytic) vs \(numeric)")
      }
    }
  }

  @Test func overfitsAFewUtterances() throws {
    // Four fixed random "utterances" with distinct transcripts: the model must drive the CTC loss
    // near zero and decode every transcript exactly (a broken gradient or mask cannot).
    var rng = RandomGenerator(seed: 7)
    var config = AcousticModelConfig()
    config.hidden = 32
    config.frontendWidth = 32
    let model = AcousticModel(config, using: &rng)
    let texts = ["one two", "nine", "six zero", "four"]
    let examples = texts.enumerated().map { i, text in
      randomExample(frames: 45 + 7 * i, labels: SpeechAlphabet.encode(text)!, rng: &rng)
    }
    let adam = Adam(parameters: model.parameters, learningRate: 1e-2)
    let ctc = CTCLoss(reduction: .mean, threads: 1)
    let batch = SpeechBatch(examples, indices: [0, 1, 2, 3], stacking: config.stacking)
    var last = Double.infinity
    for _ in 0..<150 {
      let tape = Tape()
      let loss = try ctc(
        logits: model(tape.constant(batch.input), lengths: batch.lengths), targets: batch.labels,
        inputLengths: batch.lengths)
      tape.backward(loss)
      clipGradNorm(model.parameters, maxNorm: 5)
      adam.step()
      adam.zeroGrad()
      last = Double(loss.value.scalar)
    }
    #expect(last < 0.05, "final CTC loss \(last)")
    let out = model.transcribe(examples, decoding: .greedy)
    #expect(out.texts == texts)
    #expect(model.transcribe(examples, decoding: .beam(width: 4)).texts == texts)
  }
}
