import Foundation

// Differentiable functions of several variables: elementwise minimum/maximum, select,
// concatenation and stacking.

/// Elementwise minimum of equally shaped variables. Ties split the gradient in half (PyTorch).
public func minimum(_ a: Variable, _ b: Variable) -> Variable {
  choose(a, b, name: "minimum") { $0 < $1 }
}

/// Elementwise maximum of equally shaped variables. Ties split the gradient in half (PyTorch).
public func maximum(_ a: Variable, _ b: Variable) -> Variable {
  choose(a, b, name: "maximum") { $0 > $1 }
}

private func choose(
  _ a: Variable, _ b: Variable, name: String, _ prefersA: @escaping (Float, Float) -> Bool
) -> Variable {
  precondition(a.tape === b.tape, "\(name): operands belong to different tapes")
  let (va, vb) = (a.value, b.value)
  precondition(va.shape == vb.shape, "\(name) needs equal shapes, got \(va.shape) and \(vb.shape)")
  let out = Tensor.zip(va, vb) { x, y in prefersA(x, y) || x == y ? x : y }
  return a.tape.record(out, inputs: [a, b]) { g in
    var ga = [Float](repeating: 0, count: g.count)
    var gb = [Float](repeating: 0, count: g.count)
    for i in 0..<g.count {
      let x = va.data[i]
      let y = vb.data[i]
      if x == y {
        ga[i] = g.data[i] / 2
        gb[i] = g.data[i] / 2
      } else if prefersA(x, y) {
        ga[i] = g.data[i]
      } else {
        gb[i] = g.data[i]
      }
    }
    return [Tensor(shape: va.shape, data: ga), Tensor(shape: vb.shape, data: gb)]
  }
}

/// `mask ? a : b` elementwise (equal shapes); the gradient goes to the chosen side.
public func select(_ mask: [Bool], _ a: Variable, _ b: Variable) -> Variable {
  precondition(a.tape === b.tape, "select: operands belong to different tapes")
  let (va, vb) = (a.value, b.value)
  precondition(va.shape == vb.shape, "select needs equal shapes, got \(va.shape) and \(vb.shape)")
  precondition(mask.count == va.count, "select mask has \(mask.count) entries for shape \(va.shape)")
  var out = vb.data
  for i in 0..<out.count where mask[i] { out[i] = va.data[i] }
  return a.tape.record(Tensor(shape: va.shape, data: out), inputs: [a, b]) { g in
    var ga = [Float](repeating: 0, count: g.count)
    var gb = g.data
    for i in 0..<g.count where mask[i] {
      ga[i] = g.data[i]
      gb[i] = 0
    }
    return [Tensor(shape: va.shape, data: ga), Tensor(shape: vb.shape, data: gb)]
  }
}

/// Joins variables along `axis`.
public func concat(_ parts: [Variable], axis: Int = 0) -> Variable {
  precondition(!parts.isEmpty, "concat of no variables")
  let tape = parts[0].tape
  let values = parts.map(\.value)
  let out = Tensor.concat(values, axis: axis)
  let ax = values[0].axisIndex(axis)
  return tape.record(out, inputs: parts) { g in
    let outer = g.shape[..<ax].reduce(1, *)
    let inner = g.shape[(ax + 1)...].reduce(1, *)
    let total = g.shape[ax]
    var grads: [Tensor?] = []
    var offset = 0
    for v in values {
      let extent = v.shape[ax]
      var d = [Float](repeating: 0, count: v.count)
      for o in 0..<outer {
        let src = (o * total + offset) * inner
        let dst = o * extent * inner
        for i in 0..<(extent * inner) { d[dst + i] = g.data[src + i] }
      }
      grads.append(Tensor(shape: v.shape, data: d))
      offset += extent
    }
    return grads
  }
}

/// Stacks equally shaped variables along a new leading axis.
public func stack(_ parts: [Variable]) -> Variable {
  precondition(!parts.isEmpty, "stack of no variables")
  let shapes = parts.map(\.shape)
  let out = Tensor.stack(parts.map(\.value))
  let count = parts.count  // never capture a Variable: it holds the tape (a retain cycle)
  return parts[0].tape.record(out, inputs: parts) { g in
    let n = g.count / count
    return shapes.enumerated().map { i, s in
      Tensor(shape: s, data: Array(g.data[(i * n)..<((i + 1) * n)]))
    }
  }
}
