import CKernels
import Core
import Environments
import Foundation
import NeuralNets
import Tensors
import Testing

@testable import Reinforcement

/// Runs `body` on every kernel path this CPU runs, then goes back to the best one.
func onEveryKernelPath(_ body: (KernelPath) throws -> Void) rethrows {
  defer { KernelPath.select(KernelPath.best) }
  for path in KernelPath.available {
    #expect(KernelPath.select(path))
    try body(path)
  }
}

/// The C kernels and the fused PPO update (FusedActorCriticUpdate) against OpenBLAS and the tape.
@Suite(.serialized) struct FusedActorCriticTests {
  static func random(_ n: Int, _ rng: inout RandomGenerator) -> [Float] {
    (0..<n).map { _ in Float(rng.uniform()) * 2 - 1 }
  }

  /// max |x - y| / (1 + max |y|).
  static func error(_ x: [Float], _ y: [Float]) -> Float {
    let scale = 1 + (y.map(abs).max() ?? 0)
    return zip(x, y).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
  }

  @Test func productsMatchBLAS() {
    var rng = RandomGenerator(seed: 7, stream: 0)
    let shapes = [
      (128, 4, 256), (64, 64, 256), (2, 64, 256), (1, 64, 256), (64, 2, 256), (7, 5, 37), (13, 9, 3),
      (64, 64, 41),
    ]
    onEveryKernelPath { path in
      for (m, k, b) in shapes {
        let a = Self.random(m * k, &rng)
        let x = Self.random(k * b, &rng)
        let d = Self.random(m * b, &rng)
        var mine = [Float](repeating: 0, count: max(m, k) * b)
        var blas = mine
        var gMine = [Float](repeating: 0, count: m * k)
        var gBlas = gMine
        // Y[m, b] = A[m, k] X[k, b]; Y'[k, b] = A^T D; G[m, k] = D X^T.
        ll_gemm_fm(Int32(m), Int32(k), Int32(b), a, k, 1, x, b, nil, Int32(LL_EPI_NONE), nil, 0, &mine, b)
        BLAS.sgemm(
          transA: false, transB: false, m: m, n: b, k: k, a: a, lda: k, b: x, ldb: b, c: &blas, ldc: b)
        #expect(Self.error(mine, blas) < 1e-5, "\(path.name) \(m)x\(k)x\(b) forward")
        ll_gemm_fm(Int32(k), Int32(m), Int32(b), a, 1, k, d, b, nil, Int32(LL_EPI_NONE), nil, 0, &mine, b)
        BLAS.sgemm(
          transA: true, transB: false, m: k, n: b, k: m, a: a, lda: k, b: d, ldb: b, c: &blas, ldc: b)
        #expect(
          Self.error(Array(mine[0..<(k * b)]), Array(blas[0..<(k * b)])) < 1e-5, "\(path.name) transposed")
        ll_gemm_nt(Int32(m), Int32(k), Int32(b), d, b, x, b, &gMine, k)
        BLAS.sgemm(
          transA: false, transB: true, m: m, n: k, k: b, a: d, lda: b, b: x, ldb: b, c: &gBlas, ldc: k)
        #expect(Self.error(gMine, gBlas) < 1e-5, "\(path.name) \(m)x\(k)x\(b) weight gradient")
      }
      // The tanh epilogue is the policy's tanh (FMA contraction moves it by up to 4 float steps
      // near +-1).
      let z = (0..<1000).map { Float($0 - 500) / 40 }
      var t = [Float](repeating: 0, count: z.count)
      ll_tanh(z.count, z, &t)
      for (zi, ti) in zip(z, t) {
        #expect(abs(ti - VectorMath.tanh(zi, RoundedEigenTanh.self)) <= 4e-7, "\(path.name) tanh(\(zi))")
      }
    }
  }

  /// Gradients of the fused step against the tape's on the same minibatch: every parameter's
  /// gradient within 2e-4 of the largest magnitude in that tensor (float rounding in a different
  /// summation order), the loss within 1e-5 relative.
  @Test(arguments: [PolicyActivation.tanh, .relu], [false, true])
  func gradientsMatchTape(activation: PolicyActivation, clipValues: Bool) throws {
    var rng = RandomGenerator(seed: 3, stream: 0)
    let (d, actions, n, total) = (4, 3, 37, 50)
    let policy = ActorCritic(
      observationSize: d, actionCount: actions, netArch: [64, 32], sharedTrunk: false, activation: activation,
      orthoInit: false, using: &rng)
    var buffer = RolloutBuffer(nSteps: total, nEnvs: 1, observationSize: d)
    buffer.observations = Self.random(total * d, &rng)
    buffer.actions = (0..<total).map { _ in Int(rng.next() % UInt64(actions)) }
    buffer.logProbs = (0..<total).map { _ in Float(log(1.0 / 3)) + Float(rng.uniform()) * 0.6 - 0.3 }
    buffer.values = Self.random(total, &rng)
    buffer.advantages = Self.random(total, &rng)
    buffer.returns = Self.random(total, &rng)
    let indices = Array(rng.permutation(total)[0..<n])
    let (clipRange, clipRangeVf, entCoef, vfCoef): (Float, Float?, Float, Float) = (
      0.1, clipValues ? 0.05 : nil, 0.01, 0.5
    )

    // Tape.
    let optimizer = Adam(parameters: policy.parameters)
    optimizer.zeroGrad()
    let tape = Tape()
    var obs = [Float]()
    for i in indices { obs += buffer.observations[(i * d)..<(i * d + d)] }
    var advantages = indices.map { buffer.advantages[$0] }
    PPOLoss.normalizeAdvantages(&advantages)
    let (logits, values) = policy.forward(tape.constant(Tensor(shape: [n, d], data: obs)))
    let terms = PPOLoss.compute(
      logits: logits, values: values, actions: indices.map { buffer.actions[$0] },
      oldLogProbs: indices.map { buffer.logProbs[$0] }, oldValues: indices.map { buffer.values[$0] },
      advantages: advantages, returns: indices.map { buffer.returns[$0] }, clipRange: clipRange,
      clipRangeVf: clipRangeVf, entCoef: entCoef, vfCoef: vfCoef)
    tape.backward(terms.loss)

    onEveryKernelPath { path in
      guard let fused = FusedActorCriticUpdate(policy: policy, parameters: policy.parameters, maxBatch: 40)
      else {
        Issue.record("the policy should be eligible")
        return
      }
      fused.load(optimizer: optimizer)
      fused.load(rollout: buffer)
      let coefficients = ll_ppo_coefs(
        clipRange: clipRange, clipRangeVf: clipRangeVf ?? 0, useClipRangeVf: clipRangeVf == nil ? 0 : 1,
        entCoef: entCoef, vfCoef: vfCoef, normalizeAdvantage: 1)
      let idx = indices.map { Int64($0) }
      let stats = fused.step(coefficients: coefficients, indices: idx, count: n)
      #expect(abs(Float(stats.loss) - terms.loss.value.scalar) <= 1e-5 * (1 + abs(terms.loss.value.scalar)))
      #expect(abs(Float(stats.clipFraction) - terms.clipFraction) < 1e-6, "\(path.name)")
      #expect(abs(Float(stats.approxKl) - terms.approxKl) < 1e-5, "\(path.name)")
      var offset = 0
      for (name, p) in policy.namedParameters() {
        let g = p.grad.data
        let mine = Array(UnsafeBufferPointer(start: fused.grads + offset, count: g.count))
        let scale = g.map(abs).max() ?? 0
        let worst = zip(mine, g).map { abs($0 - $1) }.max() ?? 0
        #expect(
          worst <= 2e-4 * scale + 1e-7, "\(path.name) \(activation) \(name): \(worst) vs scale \(scale)")
        offset += g.count
      }
    }
  }

  static func train(seed: UInt64, steps: Int, fused: Bool) throws -> (PPO, TrainStats) {
    let spec = try EnvironmentSpec.parse("cartpole")
    let config = cartPolePreset()
    let ppo = try PPO(
      config: config, env: spec.makeVector(numEnvs: config.nEnvs), seed: seed, totalTimesteps: steps)
    ppo.useFusedUpdate = fused
    var last = TrainStats()
    while !ppo.isFinished { last = try ppo.iterate() }
    return (ppo, last)
  }

  @Test func samePathSameSeedIsBitIdentical() throws {
    try onEveryKernelPath { path in
      let (a, sa) = try Self.train(seed: 5, steps: 2048, fused: true)
      let (b, sb) = try Self.train(seed: 5, steps: 2048, fused: true)
      #expect(a.updatePath == "fused-\(path.name)")
      #expect(sa == sb)
      #expect(a.policy.parameters.map(\.value.data) == b.policy.parameters.map(\.value.data))
      #expect(a.optimizer.stepCount == b.optimizer.stepCount && a.optimizer.m == b.optimizer.m)
    }
  }

  /// One full update (20 Adam steps) on each path stays within float noise of the tape's.
  @Test func firstUpdateMatchesTape() throws {
    let (tape, st) = try Self.train(seed: 2, steps: 256, fused: false)
    #expect(tape.updatePath == "tape")
    try onEveryKernelPath { path in
      let (fused, sf) = try Self.train(seed: 2, steps: 256, fused: true)
      #expect(abs(sf.valueLoss - st.valueLoss) <= 1e-4 * (1 + abs(st.valueLoss)), "\(path.name)")
      #expect(abs(sf.policyGradientLoss - st.policyGradientLoss) <= 1e-4, "\(path.name)")
      #expect(sf.epochs == st.epochs && fused.optimizer.stepCount == tape.optimizer.stepCount)
      for (p, q) in zip(fused.policy.parameters, tape.policy.parameters) {
        #expect(Self.error(p.value.data, q.value.data) < 1e-3, "\(path.name)")
      }
    }
  }

  /// RL-Zoo CartPole learns on every kernel path (as CartPoleTrainingTests on the default one).
  @Test func cartPoleLearnsOnEveryPath() throws {
    BLAS.threads = 1
    try onEveryKernelPath { path in
      let (ppo, _) = try Self.train(seed: 1, steps: 25_000, fused: true)
      let eval = Evaluation.run(
        policy: ppo.policy, normalizer: ppo.normalizer, spec: try EnvironmentSpec.parse("cartpole"),
        episodes: 20,
        deterministic: true, seed: 1000)
      #expect(eval.meanReturn > 150, "\(path.name): \(eval.meanReturn)")
    }
  }

  /// Box action spaces stay on the tape.
  @Test func gaussianPoliciesUseTheTape() throws {
    var config = PPOConfig()
    config.nSteps = 64
    config.batchSize = 32
    config.nEpochs = 1
    let spec = try EnvironmentSpec.parse("pendulum")
    let ppo = try PPO(config: config, env: spec.makeVector(numEnvs: 1), seed: 0, totalTimesteps: 64)
    #expect(ppo.updatePath == "tape")
    try ppo.iterate()
    #expect(ppo.optimizer.stepCount == 2)
  }
}
