import Core
import Foundation
import Runs
import Statistics
import TestSupport
import Testing

@testable import Training

@Suite struct SweepStudyTests {
  @Test func rungLadders() {
    #expect(SweepPlan.rungs(steps: 90_000, minSteps: nil, eta: 3, pruner: .asha) == [10_000, 30_000, 90_000])
    #expect(
      SweepPlan.rungs(steps: 100_000, minSteps: 10_000, eta: 2, pruner: .median) == [
        10_000, 20_000, 40_000, 80_000, 100_000,
      ])
    #expect(SweepPlan.rungs(steps: 100_000, minSteps: 10_000, eta: 3, pruner: .none) == [100_000])
    #expect(SweepPlan.rungs(steps: 5, minSteps: 5, eta: 3, pruner: .asha) == [5])
  }

  static func study(_ pruner: SweepPrunerKind, trials: Int = 40, batch: Int = 1, seed: UInt64 = 1)
    -> SweepStudy
  {
    var plan = SweepPlan(trials: trials, rungs: [1, 3, 9])
    plan.pruner = pruner
    plan.batch = batch
    return SweepStudy(plan: plan, sampler: SweepSamplerKind.tpe.make(space: Synthetic.bowlSpace, seed: seed))
  }

  static func objective() -> SyntheticObjective {
    var o = SyntheticObjective(Synthetic.bowl)
    o.fullBudget = 9
    o.penalty = 0.5
    return o
  }

  /// ASHA on the bowl with rungs 1, 3, 9: pruned trials are kept with the rung they reached, the
  /// budget spent falls well below trials x 9, and the best trial is still near the optimum.
  @Test func ashaPrunesAndRecordsTheRung() throws {
    var study = Self.study(.asha)
    var objective = Self.objective()
    #expect(try study.run(&objective))
    let pruned = study.trials.filter { $0.state == .pruned }
    let complete = study.trials.filter { $0.state == .complete }
    print("asha: \(complete.count) complete, \(pruned.count) pruned, budget \(objective.spent) of \(40 * 9)")
    #expect(study.trials.count == 40)
    #expect(pruned.count + complete.count == 40)
    #expect(pruned.count >= 20)
    #expect(pruned.allSatisfy { $0.rungScores.count == 1 || $0.rungScores.count == 2 })
    #expect(complete.allSatisfy { $0.rungScores.count == 3 })
    #expect(objective.spent < 40 * 9 / 2)
    #expect((study.best?.score ?? -1) > -0.02)
    // The first trial always goes on (it is the best of one); a trial is pruned at rung r only
    // when at least one recorded rung-r score beats it.
    #expect(study.trials[0].state == .complete)
    for t in pruned {
      let r = t.lastRung
      let better = study.trials.prefix(t.number + 1).filter {
        $0.rungScores.count > r && $0.rungScores[r] > t.rungScores[r]
      }
      #expect(!better.isEmpty)
    }
  }

  @Test func medianRulePrunesBelowTheMedianAfterFiveTrials() throws {
    var study = Self.study(.median)
    var objective = Self.objective()
    #expect(try study.run(&objective))
    let trials = study.trials
    #expect(trials.prefix(5).allSatisfy { $0.state == .complete })
    for t in trials where t.state == .pruned {
      let r = t.lastRung
      let earlier = trials.prefix(t.number).filter { $0.rungScores.count > r }.map { $0.rungScores[r] }
        .sorted()
      #expect(earlier.count >= 5)
      let m =
        earlier.count % 2 == 1
        ? earlier[earlier.count / 2] : (earlier[earlier.count / 2 - 1] + earlier[earlier.count / 2]) / 2
      #expect(t.rungScores[r] < m)
    }
    #expect(trials.contains { $0.state == .pruned })
    #expect(objective.spent < 40 * 9)
  }

  /// A sweep interrupted at any evaluation and continued from its saved trials ends exactly as an
  /// uninterrupted one (with batches, pruning and TPE).
  @Test(arguments: [3, 17, 29])
  func interruptedSweepContinuesExactly(stopAfter: Int) throws {
    var whole = Self.study(.asha, trials: 30, batch: 3)
    var o1 = Self.objective()
    #expect(try whole.run(&o1))

    let folder = try makeScratchFolder("sweep-resume-\(stopAfter)")
    var first = Self.study(.asha, trials: 30, batch: 3)
    first.onChange = { try SweepTrialsFile.write($0, space: Synthetic.bowlSpace, to: folder) }
    var o2 = Self.objective()
    o2.stopAfterEvaluations = stopAfter
    #expect(try first.run(&o2) == false)
    let saved = try SweepTrialsFile.read(from: folder, space: Synthetic.bowlSpace)
    #expect(saved.count < 30)
    var second = SweepStudy(plan: whole.plan, sampler: whole.sampler, trials: saved)
    var o3 = Self.objective()
    #expect(try second.run(&o3))
    #expect(second.trials == whole.trials)
  }

  @Test func moreTrialsOnRerunExtendTheSameSequence() throws {
    var short = Self.study(.none, trials: 15)
    var o = Self.objective()
    _ = try short.run(&o)
    var long = Self.study(.none, trials: 25)
    _ = try long.run(&o)
    var extended = SweepStudy(plan: long.plan, sampler: long.sampler, trials: short.trials)
    _ = try extended.run(&o)
    #expect(extended.trials == long.trials)
  }

  @Test func failedTrialsAreRecordedAndSkippedByTPE() throws {
    struct Flaky: SweepObjective {
      mutating func evaluate(_ trials: [SweepTrial], budget: Int, rung: Int) throws -> [SweepEvaluation] {
        trials.map { $0.number % 4 == 1 ? .failed("run crashed") : .score(Synthetic.bowl($0.values)) }
      }
    }
    var study = SweepStudy(
      plan: SweepPlan(trials: 20, rungs: [9]),
      sampler: SweepSamplerKind.tpe.make(space: Synthetic.bowlSpace, seed: 1))
    var objective = Flaky()
    #expect(try study.run(&objective))
    #expect(study.trials.filter { $0.state == .failed }.count == 5)
    #expect(
      study.trials.filter { $0.state == .failed }.allSatisfy { $0.reason == "run crashed" && $0.score == nil }
    )
    let csv = SweepTrialsFile.csv(study.trials, space: Synthetic.bowlSpace, rungs: [9], seeds: 2)
    let lines = csv.split(separator: "\n")
    #expect(lines[0] == "trial,x,y,state,score,rung,seeds,steps,reason")
    #expect(lines[2].hasSuffix(",failed,,,2,,run crashed"))
    #expect(lines[1].contains(",complete,") && lines[1].hasSuffix(",0,2,9,"))
  }

  @Test func importanceFindsTheParameterThatMatters() {
    let space = SweepSpace(parameters: [
      SweepParameter(name: "a", kind: .choice(["x", "y"])),
      SweepParameter(name: "b", kind: .uniform(low: 0, high: 1)),
    ])
    var trials: [SweepTrial] = []
    for n in 0..<40 {
      var t = SweepTrial(number: n, values: [.choice(n % 2), .real(Double((n * 7) % 40) / 40)])
      t.state = .complete
      t.rungScores = [Double(n % 2) * 10 + Double((n * 7) % 40) / 400]
      trials.append(t)
    }
    let a = SweepImportance.compute(space.parameters[0], index: 0, trials: trials)
    let b = SweepImportance.compute(space.parameters[1], index: 1, trials: trials)
    #expect((a.fraction ?? 0) > 0.99)
    #expect((b.fraction ?? 1) < 0.05)
    #expect(a.groups.map(\.label) == ["x", "y"])
    #expect(b.groups.count == 4 && b.groups.allSatisfy { $0.scores.count == 10 })
  }
}

/// A sweep's promotion: a run that finished at a rung's budget continues (`rl train --resume
/// --steps NEXT`) when its job asks for more steps; at its own budget it is skipped.
@Suite struct SweepPromotionTests {
  @Test func finishedRunsContinueOnlyWhenGivenALargerBudget() throws {
    let root = try makeScratchFolder()
    let folder = RunFolder(url: root.appendingPathComponent("trial-0000/seed-0"))
    try folder.writeConfig(["seed": 0])
    try folder.saveCheckpoint(step: 64, sidecar: ["s": 1], weights: Data())
    try folder.writeStatus(.finished, step: 64)
    func job(_ steps: Int, resume: [String] = ["--resume"]) -> TrainingJob {
      TrainingJob(label: "t", folder: folder.url, arguments: ["new"], resumeArguments: resume, steps: steps)
    }
    #expect(job(64).launch() == .skip)
    #expect(job(32).launch() == .skip)
    #expect(job(192).launch() == .resume)
    #expect(job(192).stepsDone() == 0)  // no metrics.csv: nothing counted beyond the folder
    #expect(job(192, resume: []).launch() == .skip)
    #expect(job(0).launch() == .skip)
  }
}

@Suite struct SweepMetricTests {
  @Test func scoresOverSeeds() throws {
    let curves = [
      LearningCurve(steps: [0, 10], values: [0, 100]),
      LearningCurve(steps: [0, 10], values: [0, 200]),
      LearningCurve(steps: [0, 10], values: [0, 300]),
      LearningCurve(steps: [0, 10], values: [0, 1000]),
    ]
    #expect(SweepMetric.mean.score(curves) == 400)
    #expect(SweepMetric.iqm.score(curves) == 250)  // the middle two of four
    #expect(SweepMetric.auc.score(curves) == 200)  // each curve's mean level is half its end
    #expect(SweepMetric.mean.score([]) == nil)
    #expect(SweepMetric.iqm.score([LearningCurve(steps: [], values: [])]) == nil)
  }
}
