// The two 16-bit float formats SwiftGrad stores: bfloat16 (float32's sign and 8-bit exponent with 7 fraction bits,
// so any float32 fits its range) and IEEE half (5-bit exponent, 10 fraction bits, largest finite 65504). Both are
// storage formats: values are widened to float32 exactly, and products of bfloat16 operands accumulate in float32.
// Both compare as the float32 values they hold (+0 equals −0; NaN equals nothing), not by their bits.

/// A bfloat16 number as stored: the upper half of a float32's bits.
package struct BFloat16: Sendable, Comparable {
    /// The 16 bits: sign, 8-bit exponent, 7-bit fraction.
    package var bitPattern: UInt16

    package init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// `value` rounded to the nearest bfloat16, ties to even (PyTorch's `round_to_nearest_even`, and what
    /// `VCVTNE2PS2BF16` does): infinities stay infinite, values past the largest bfloat16 become infinite, and
    /// a NaN stays a NaN with its sign, made quiet.
    @inlinable @inline(__always)
    package init(_ value: Float) { bitPattern = UInt16(truncatingIfNeeded: bfloat16Bits(value.bitPattern)) }

    /// The value as a float32 (exact).
    @inlinable @inline(__always)
    package var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    package static func == (x: BFloat16, y: BFloat16) -> Bool { x.floatValue == y.floatValue }
    package static func < (x: BFloat16, y: BFloat16) -> Bool { x.floatValue < y.floatValue }
}

/// An IEEE 754 half-precision number as stored (PyTorch's `float16`): sign, 5-bit exponent, 10-bit fraction.
package struct Half: Sendable, Comparable {
    /// The 16 bits.
    package var bitPattern: UInt16

    package init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// `value` rounded to the nearest half, ties to even, subnormals included: magnitudes from 65520 on become
    /// infinite, below 2⁻²⁵ zero (with the sign), and a NaN becomes the quiet NaN 0x7E00 with `value`'s sign.
    package init(_ value: Float) {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        let result: UInt32
        if magnitude >= 0x4780_0000 {
            // 2¹⁶ and above (every value from 65520 on rounds there too, below): infinity, or NaN.
            result = magnitude > 0x7F80_0000 ? 0x7E00 : 0x7C00
        } else if magnitude < 0x3880_0000 {
            // Below 2⁻¹⁴, half's subnormals: adding 0.5 puts the float's rounding point at half's last fraction bit
            // (2⁻²⁴), so the float addition itself rounds to nearest even; the bits left over are the result.
            let aligned = Float(bitPattern: magnitude) + 0.5
            result = aligned.bitPattern &- Float(0.5).bitPattern
        } else {
            // Normal: rebias the exponent from 127 to 15 and round the 13 dropped fraction bits to nearest even.
            let odd = (magnitude >> 13) & 1
            result = (magnitude &+ 0xC800_0FFF &+ odd) >> 13
        }
        bitPattern = sign | UInt16(truncatingIfNeeded: result)
    }

    /// The value as a float32 (exact, subnormals included).
    package var floatValue: Float {
        let sign: UInt32 = UInt32(bitPattern & 0x8000) << 16
        let exponent = UInt32(bitPattern >> 10) & 0x1F, fraction = UInt32(bitPattern) & 0x3FF
        switch exponent {
        case 0:
            let magnitude = Float(fraction) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent &+ 112) << 23 | fraction << 13)
        }
    }

    package static func == (x: Half, y: Half) -> Bool { x.floatValue == y.floatValue }
    package static func < (x: Half, y: Half) -> Bool { x.floatValue < y.floatValue }
}
