import Core
import Foundation
import Speech
import Tensors
import Testing

@testable import Speech

@Suite struct FeaturesTests {
  /// Direct O(N^2) DFT in Double.
  func directDFT(_ x: [Float]) -> (re: [Double], im: [Double]) {
    let n = x.count
    var re = [Double](repeating: 0, count: n / 2 + 1)
    var im = re
    for k in 0...(n / 2) {
      for t in 0..<n {
        let angle = -2 * Double.pi * Double(k * t % n) / Double(n)
        re[k] += Double(x[t]) * cos(angle)
        im[k] += Double(x[t]) * sin(angle)
      }
    }
    return (re, im)
  }

  /// The FFT matches a direct DFT on a sum of sinusoids plus noise, within 2e-6 of the largest
  /// magnitude (float32 rounding over log2(N) stages).
  @Test(arguments: [4, 16, 512, 1024])
  func fftMatchesDirectDFT(n: Int) {
    var rng = RandomGenerator(seed: UInt64(n))
    let x = (0..<n).map { t -> Float in
      let s =
        0.7 * sin(2 * Double.pi * 3 * Double(t) / Double(n)) + 0.2
        * cos(2 * Double.pi * 37.5 * Double(t) / Double(n) + 0.3)
      return Float(s + 0.1 * rng.normal() + 0.05)
    }
    let fft = RealFFT(count: n).transform(x)
    let dft = directDFT(x)
    var scale = 0.0
    for k in 0...(n / 2) { scale = max(scale, hypot(dft.re[k], dft.im[k])) }
    var worst = 0.0
    for k in 0...(n / 2) {
      worst = max(worst, abs(Double(fft.real[k]) - dft.re[k]), abs(Double(fft.imag[k]) - dft.im[k]))
    }
    #expect(worst <= 2e-6 * scale * log2(Double(n)), "n \(n): worst error \(worst), scale \(scale)")
  }

  /// A 2 kHz tone (bin 64 of 512) of amplitude A under a periodic Hann window of 400 samples:
  /// |X[64]| = A * sum(w) / 2 = 100 A (the mirror term at bin -64 leaks < 1e-4 of it).
  @Test func toneEnergyIsClosedForm() {
    let lm = LogMel()
    let amplitude: Float = 0.3
    let x = (0..<1600).map { amplitude * Float(sin(2 * Double.pi * 2000 * Double($0) / 16000 + 0.4)) }
    let p = lm.powerSpectrogram(x)
    #expect(p.shape == [8, 257])
    for t in 0..<8 {
      let row = Array(p.data[(t * 257)..<((t + 1) * 257)])
      #expect(row.firstIndex(of: row.max()!) == 64)
      #expect(abs(row[64].squareRoot() / (100 * amplitude) - 1) < 1e-3)
    }
  }

  @Test func htkMelScale() {
    #expect(abs(LogMel.hzToMel(1000) - 999.9855) < 1e-3)  // HTK scale: 1000 Hz is ~1000 mel
    #expect(abs(LogMel.hzToMel(700) - 2595 * log10(2.0)) < 1e-9)
    for hz in [0.0, 55, 440, 3999, 8000] { #expect(abs(LogMel.melToHz(LogMel.hzToMel(hz)) - hz) < 1e-6) }
  }

  /// Triangles: peak <= 1, every band has weight, centres increase, each bin's weights from
  /// adjacent bands sum to 1 between the first and last centre (HTK triangles overlap halfway).
  @Test func melFilterbankShape() {
    let bands = 80
    let bins = 257
    let fb = LogMel.melFilterbank(bins: bins, bands: bands, sampleRate: 16000, lowHz: 0, highHz: 8000)
    var centre = [Int](repeating: 0, count: bands)
    for m in 0..<bands {
      let column = (0..<bins).map { fb[$0 * bands + m] }
      #expect(column.max()! > 0 && column.max()! <= 1, "band \(m) peak \(column.max()!)")
      centre[m] = column.firstIndex(of: column.max()!)!
    }
    for m in 1..<bands { #expect(centre[m] >= centre[m - 1]) }
    let firstCentre = LogMel.melToHz(LogMel.hzToMel(8000) / 81) / 31.25
    let lastCentre = LogMel.melToHz(LogMel.hzToMel(8000) * 80 / 81) / 31.25
    for k in Int(firstCentre.rounded(.up))...Int(lastCentre) {
      let sum = (0..<bands).reduce(Float(0)) { $0 + fb[k * bands + $1] }
      #expect(abs(sum - 1) < 1e-5, "bin \(k): weights sum to \(sum)")
    }
  }

  /// A tone at the centre frequency of band 40 puts the most energy into band 40.
  @Test func pureToneFallsIntoItsMelBand() {
    var config = LogMel.Config()
    config.normalize = false
    let lm = LogMel(config)
    let hz = LogMel.melToHz(LogMel.hzToMel(8000) * 41 / 81)
    let x = (0..<8000).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / 16000)) }
    let f = lm(x)
    #expect(f.shape == [48, 80])
    for t in 0..<48 {
      let row = Array(f.data[(t * 80)..<((t + 1) * 80)])
      #expect(row.firstIndex(of: row.max()!) == 40)
    }
  }

  @Test func framingAndNormalisation() {
    let lm = LogMel()
    #expect(lm.frameCount(16000) == 98)
    #expect(lm.frameCount(399) == 0 && lm.frameCount(400) == 1 && lm.frameCount(560) == 2)
    var rng = RandomGenerator(seed: 5)
    let x = (0..<16000).map { i in Float(0.1 * rng.normal() + 0.3 * sin(Double(i) * 0.05)) }
    let f = lm(x)
    #expect(f.shape == [98, 80])
    for m in 0..<80 {
      var mean = 0.0
      var sq = 0.0
      for t in 0..<98 {
        mean += Double(f.data[t * 80 + m])
        sq += Double(f.data[t * 80 + m]) * Double(f.data[t * 80 + m])
      }
      mean /= 98
      let std = (sq / 98 - mean * mean).squareRoot()
      #expect(abs(mean) < 1e-4 && abs(std - 1) < 1e-3, "band \(m): mean \(mean) std \(std)")
    }
    #expect(lm([Float](repeating: 0, count: 100)).shape == [0, 80])
  }

  /// Silence hits the log floor exactly: log(1e-10) before normalisation.
  @Test func logFloor() {
    var config = LogMel.Config()
    config.normalize = false
    let f = LogMel(config)([Float](repeating: 0, count: 800))
    #expect(f.data.allSatisfy { abs($0 - Float(log(1e-10))) < 1e-4 })
  }
}
