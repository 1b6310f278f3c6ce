// Elementwise math with pullbacks.

extension Tensor {
    /// e^x for every element.
    public func exp() -> Tensor {
        let y = applying(.exp), value = y.detached()
        return y.recorded("exp", self) { g in [g * value] }
    }

    /// Natural logarithm of every element.
    public func log() -> Tensor {
        applying(.log).recorded("log", self) { [self] g in [g / self] }
    }

    /// Square root of every element.
    public func sqrt() -> Tensor {
        let y = applying(.sqrt), value = y.detached()
        return y.recorded("sqrt", self) { g in [g / (2 * value)] }
    }

    /// Absolute value of every element. Its gradient is sign(x), 0 at x = 0 (as PyTorch).
    public func abs() -> Tensor {
        applying(.abs).recorded("abs", self) { [self] g in [g * ((self .> 0).to(g.dtype) - (self .< 0).to(g.dtype))] }
    }

    /// Every element raised to `exponent`: `x.pow(2)` squares. Gradient: exponent · x^(exponent − 1).
    public func pow(_ exponent: Float) -> Tensor {
        applying(.power(Double(exponent))).recorded("pow", self) { [self] g in
            if exponent == 2 { return [g * self * 2] }
            return [g * self.pow(exponent - 1) * exponent]
        }
    }

    /// Every element limited to `[min, max]` (either bound may be omitted), as PyTorch's `clamp`;
    /// `x.clamped(min: 0)` is the lesson's `clamp_min(0.)`.
    ///
    /// The gradient passes where `min <= x <= max` and is 0 where the value was clipped (and where x is NaN).
    public func clamped(min: Float? = nil, max: Float? = nil) -> Tensor {
        let low = Double(min ?? -.infinity), high = Double(max ?? .infinity)
        require(low <= high, "clamped: min \(low) is greater than max \(high)")
        return applying(.clamp(min: low, max: high)).recorded("clamp", self) { [self] g in
            [Tensor.combining(g, self, .passWithin(min: low, max: high), name: "clamp backward")]
        }
    }

    /// max(x, 0) for every element (NaN stays NaN). Gradient: 1 where x > 0, else 0.
    public func relu() -> Tensor {
        applying(.relu).recorded("relu", self) { [self] g in
            [Tensor.combining(g, self, .passWherePositive, name: "relu backward")]
        }
    }

    /// GELU of every element, as PyTorch's `F.gelu(x, approximate=)`: x·Φ(x) = 0.5·x·(1 + erf(x/√2)), or with
    /// `.tanh` 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). In float32, erf is Abramowitz and Stegun's 7.1.26
    /// (as ATen's vector loops compute it): within 2·10⁻⁷ of GELU, relative. Gradient: Φ(x) + x·φ(x), or the
    /// tanh form's derivative.
    ///
    /// **Shapes:** unchanged.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        applying(.gelu(approximate)).recorded("gelu", self) { [self] g in
            [Tensor.combining(g, self, .geluGradient(approximate), name: "gelu backward")]
        }
    }

    /// `activation` applied to every element, as its op (``relu()``, ``gelu(approximate:)``); `.identity` returns
    /// `self`.
    ///
    /// **Shapes:** unchanged.
    public func activated(_ activation: Activation) -> Tensor {
        switch activation {
        case .identity: return self
        case .relu: return relu()
        case .gelu: return gelu()
        case .geluTanh: return gelu(approximate: .tanh)
        }
    }

    /// 1 / (1 + e^−x) for every element, computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        let y = applying(.sigmoid), s = y.detached()
        return y.recorded("sigmoid", self) { g in
            [g * s * (1 - s)]
        }
    }

    /// Hyperbolic tangent of every element. Gradient: 1 − tanh².
    public func tanh() -> Tensor {
        let y = applying(.tanh), t = y.detached()
        return y.recorded("tanh", self) { g in
            [g * (1 - t * t)]
        }
    }
}

/// max(x, 0) for every element of `x`.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// 1 / (1 + e^−x) for every element of `x`.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
/// Hyperbolic tangent of every element of `x`.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// ``Tensor/gelu(approximate:)`` as a function, as PyTorch's `F.gelu`.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor { x.gelu(approximate: approximate) }
/// e^x for every element of `x`.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Natural logarithm of every element of `x`.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Square root of every element of `x`.
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
