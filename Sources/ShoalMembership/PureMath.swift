/// Logarithms without Foundation or Glibc, which the pure core may not import.
enum PureMath {
    /// Natural logarithm: splits off the binary exponent and sums the atanh series on the
    /// significand in [1, 2), where |z| ≤ 1/3 so 20 terms give full double precision.
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        let exponent = Double(x.exponent)
        let significand = x.significand
        let z = (significand - 1) / (significand + 1)
        let zSquared = z * z
        var term = z
        var sum = 0.0
        var divisor = 1.0
        for _ in 0..<20 {
            sum += term / divisor
            term *= zSquared
            divisor += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }

    /// Base-10 logarithm.
    static func log10(_ x: Double) -> Double {
        log(x) / 2.302_585_092_994_045_7
    }

    /// Smallest integer ≥ x for the small non-negative values used here (avoids libm's ceil).
    static func ceiling(_ x: Double) -> Int {
        let truncated = Int(x)
        return Double(truncated) < x ? truncated + 1 : truncated
    }
}
